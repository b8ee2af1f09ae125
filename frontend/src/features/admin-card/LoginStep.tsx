import { useId } from 'react';
import { errorMessage } from '../../shared/api';
import { Banner, Button } from '../../shared/ui';
import type { useHubspotLogin } from './useHubspotLogin';

type Login = ReturnType<typeof useHubspotLogin>;

/** The Login step after Integrate: open HubSpot in a new tab, or Cancel back to Integrate. */
export function LoginStep({ login, onCancel }: { login: Login; onCancel: () => void }) {
  const hintId = useId();
  return (
    <div className="login-step">
      <p id={hintId}>
        HubSpot opens in a new tab. Sign in to the portal you want to connect and accept <strong>all</strong> the
        permissions Convrs asks for: Convrs cannot work with a partial grant.
      </p>
      <Button variant="primary" onClick={login.login} busy={login.fetching} aria-describedby={hintId}>
        Login to HubSpot
      </Button>{' '}
      <Button onClick={onCancel}>Cancel</Button>
      <LoginProgress login={login} />
    </div>
  );
}

/** After the login tab opened: what to do next, the way round a blocked popup, or why it failed. */
export function LoginProgress({ login }: { login: Login }) {
  if (login.error) {
    return (
      <Banner tone="red" role="alert" title="HubSpot login could not start.">
        {errorMessage(login.error)}
      </Banner>
    );
  }
  if (login.failure) {
    return (
      <Banner
        tone="red"
        role="alert"
        title="HubSpot was not connected"
        actions={
          <Button variant="primary" onClick={login.login} busy={login.fetching}>
            Try again
          </Button>
        }
      >
        {login.failure}
      </Banner>
    );
  }
  if (login.blockedUrl) {
    return (
      <Banner tone="blue" title="Your browser blocked the new tab.">
        <a href={login.blockedUrl} target="_blank" rel="noopener noreferrer">
          Open the HubSpot login
        </a>{' '}
        to continue.
      </Banner>
    );
  }
  if (login.started) {
    return (
      <p className="muted" role="status">
        Finish in the HubSpot tab. This card updates by itself when HubSpot sends you back.
      </p>
    );
  }
  return null;
}
