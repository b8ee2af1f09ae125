import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql';

const ConnectHubspot = graphql(`
  mutation ConnectHubspot {
    connectHubspot {
      url
      expiresAt
    }
  }
`);

/**
 * Starts HubSpot's OAuth consent in a new tab. The authorization URL is asked for only when the person
 * clicks, because its single-use state expires after 10 minutes.
 */
export function useHubspotLogin() {
  const [{ fetching, error }, connect] = useMutation(ConnectHubspot);
  const [started, setStarted] = useState(false);
  const [blockedUrl, setBlockedUrl] = useState<string | null>(null);

  async function login() {
    setBlockedUrl(null);
    // Open the tab while the click still counts as the person's gesture: popup blockers refuse a tab opened
    // after an await. It is pointed at HubSpot once the URL is known.
    const tab = window.open('', '_blank');
    const result = await connect({});
    const url = result.data?.connectHubspot.url;
    if (!url) {
      tab?.close();
      return;
    }
    if (tab && !tab.closed) {
      tab.opener = null;
      tab.location.href = url;
    } else {
      setBlockedUrl(url);
    }
    setStarted(true);
  }

  function reset() {
    setStarted(false);
    setBlockedUrl(null);
  }

  return { login, reset, fetching, error, started, blockedUrl };
}
