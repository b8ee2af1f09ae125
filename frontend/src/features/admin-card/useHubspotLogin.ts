import { useRef, useState } from 'react';
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

/** Only a web link is opened: the tab starts as about:blank, which shares the host page's origin. */
function isWebLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Starts a HubSpot connection in a new tab. connectHubspot returns the gateway's start link (asked for only when
 * the person clicks: it is single use and expires after 10 minutes); opened in this browser, it sets an HttpOnly
 * cookie that binds the connection to this browser and redirects to HubSpot's consent page. The callback and the
 * portal-change confirmation are refused in any other browser, so the link is opened here and never shared.
 *
 * Each login is a new attempt: the gateway forgets the previous attempt's outcome, and onStarted lets the card
 * forget it too. `failure` is the outcome the gateway published for the attempt while the card waits
 * (lastConnectError): the wait is over, and the card offers to try again. `cancel` abandons the attempt.
 */
export function useHubspotLogin({ lastConnectError, onStarted }: { lastConnectError?: string | null; onStarted?: () => void } = {}) {
  const [{ fetching, error }, connect] = useMutation(ConnectHubspot);
  const [started, setStarted] = useState(false);
  const [blockedUrl, setBlockedUrl] = useState<string | null>(null);
  const tabRef = useRef<Window | null>(null);

  async function login() {
    setBlockedUrl(null);
    // Open the tab while the click still counts as the person's gesture: popup blockers refuse a tab opened
    // after an await. It is pointed at the start link once the link is known.
    const tab = window.open('', '_blank');
    const result = await connect({});
    const url = result.data?.connectHubspot.url;
    if (!url || !isWebLink(url)) {
      tab?.close();
      return;
    }
    closeTab();
    if (tab && !tab.closed) {
      tab.opener = null;
      tab.location.href = url;
      tabRef.current = tab;
    } else {
      setBlockedUrl(url);
    }
    setStarted(true);
    onStarted?.();
  }

  function closeTab() {
    tabRef.current?.close();
    tabRef.current = null;
  }

  function reset() {
    tabRef.current = null;
    setStarted(false);
    setBlockedUrl(null);
  }

  /** Abandons the attempt: the HubSpot tab this card opened closes, and the card stops waiting. */
  function cancel() {
    closeTab();
    reset();
  }

  const failure = started && lastConnectError ? lastConnectError : null;
  return { login, reset, cancel, fetching, error, started, blockedUrl, failure };
}
