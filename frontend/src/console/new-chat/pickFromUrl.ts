import { useQuery } from 'urql';
import type { SearchContact } from '../../features/outbound-search';
import { graphql } from '../../gql';
import { channels } from '../../shared/lib/channels';
import { usePath } from '../router';

// Create New Chat opened as #/new?hubspotContactId=123 (the HubSpot app card's Start chat in Convrs): the
// gateway reads the contact from HubSpot, so nothing but its ID comes from the URL.
const HubspotContactToPick = graphql(`
  query HubspotContactToPick($id: ID!) {
    hubspotContactToPick(id: $id) {
      ...SearchContactFields
    }
  }
`);

/** The contact ID in the route's query, or null. */
export function contactIdInPath(path: string): string | null {
  const query = path.split('?')[1];
  const id = query ? new URLSearchParams(query).get('hubspotContactId')?.trim() : null;
  return id ? id : null;
}

/** The contact named by the URL as HubSpot returns it, while outbound search is allowed (it is the same pick). */
export function useContactToPick(search: boolean) {
  const id = contactIdInPath(usePath());
  const [{ data, error, fetching }] = useQuery({ query: HubspotContactToPick, variables: { id: id ?? '' }, pause: !id || !search });
  return { id, contact: (data?.hubspotContactToPick ?? null) satisfies SearchContact | null, error, fetching };
}

/** What each channel needs to reach someone. */
const reaches: Record<string, (c: SearchContact) => boolean> = {
  web: (c) => Boolean(c.email || c.phone || c.mobilePhone),
  whatsapp: (c) => Boolean(c.mobilePhone || c.phone),
  sms: (c) => Boolean(c.mobilePhone || c.phone),
  email: (c) => Boolean(c.email),
};

/** current if the contact can be reached on it, else the first channel that reaches them, else null. */
export function reachableChannel(contact: SearchContact, current: string): string | null {
  if (reaches[current]?.(contact)) return current;
  return channels.find((c) => reaches[c](contact)) ?? null;
}
