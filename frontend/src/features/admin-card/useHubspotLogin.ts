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
 */
export function useHubspotLogin() {
  const [{ fetching, error }, connect] = useMutation(ConnectHubspot);
  const [started, setStarted] = useState(false);
  const [blockedUrl, setBlockedUrl] = useState<string | null>(null);

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
