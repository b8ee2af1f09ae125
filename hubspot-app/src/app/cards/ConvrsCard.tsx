import { hubspot } from '@hubspot/ui-extensions';
import { ConversationsCard } from './ConversationsCard';

// The card's entrypoint on contact records' middle tab (convrs-conversations-hsmeta.json): HubSpot renders
// what this registers. The card itself is ConversationsCard, which the tests render with HubSpot's renderer.
hubspot.extend<'crm.record.tab'>(({ context }) => <ConversationsCard contactId={String(context.crm.objectId)} fetcher={hubspot.fetch} />);
