import { useEffect, useState, useSyncExternalStore } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import type { Connection, ConnectionState } from '../shared/api';
import { errorMessage } from '../shared/api';
import { Banner, Button } from '../shared/ui';
import { AgentChatPage } from './chat/AgentChatPage';
import { IntegrationsPage } from './integrations/IntegrationsPage';
import { CreateChatPage } from './new-chat/CreateChatPage';
import { SettingsPage } from './settings/SettingsPage';
import { href, usePath } from './router';
import { setDisplayTimeZone } from '../shared/lib/format';

const MeQuery = graphql(`
  query Me {
    me {
      id
      name
      email
      role
    }
    workspace {
      id
      name
      timeZone
      defaultRegion
    }
  }
`);

// Shown only while a page listens for live updates (idle means no page needs them, which is not a fault).
const connectionLabels: Record<Exclude<ConnectionState, 'idle'>, string> = {
  connecting: 'Connecting for live updates…',
  connected: 'Live updates on',
  reconnecting: 'Live updates paused: reconnecting…',
};

const sections = [
  { path: '/integrations', label: 'Integrations' },
  { path: '/chat', label: 'Agent Chat' },
  { path: '/new', label: 'Create New Chat' },
  { path: '/settings', label: 'Settings' },
];

/** The signed-in console: who is signed in, the navigation, and the page for the current route. */
export function Shell({ connection, onSignOut }: { connection: Connection; onSignOut: () => void }) {
  const path = usePath();
  const [{ data, error }, refetch] = useQuery({ query: MeQuery });
  const live = useSyncExternalStore(connection.subscribe, connection.getState);
  const [menuOpen, setMenuOpen] = useState(false);
  // Choosing a page on a phone closes the menu.
  useEffect(() => setMenuOpen(false), [path]);

  // Pages render only once the workspace is known, so every time they show is in its zone.
  if (data) setDisplayTimeZone(data.workspace.timeZone, data.workspace.defaultRegion);

  let page;
  if (!data) {
    page = error ? (
      <main className="page">
        <Banner tone="red" title="Convrs could not be loaded." actions={<Button onClick={() => refetch({ requestPolicy: 'network-only' })}>Try again</Button>}>
          {errorMessage(error)}
        </Banner>
      </main>
    ) : (
      <main className="page">
        <p className="muted">Loading…</p>
      </main>
    );
  } else if (path.startsWith('/integrations')) {
    page = <IntegrationsPage role={data.me.role} />;
  } else if (path.startsWith('/new')) {
    page = <CreateChatPage />;
  } else if (path.startsWith('/settings')) {
    page = <SettingsPage role={data.me.role} />;
  } else {
    const match = /^\/chat\/([^/]+)/.exec(path);
    page = <AgentChatPage conversationId={match ? decodeURIComponent(match[1]) : null} />;
  }

  const current = sections.find((s) => path.startsWith(s.path))?.path ?? '/chat';
  return (
    <div className="shell">
      <button
        type="button"
        className="skip-link"
        onClick={() => {
          const main = document.querySelector<HTMLElement>('.shell > main');
          if (!main) return;
          main.tabIndex = -1;
          main.focus();
        }}
      >
        Skip to content
      </button>
      <header className={`topbar${menuOpen ? ' topbar--open' : ''}`} data-connection={live}>
        <span className="brand">Convrs</span>
        {data && <span className="topbar__workspace">{data.workspace.name}</span>}
        <button
          type="button"
          className="btn topbar__menu"
          aria-expanded={menuOpen}
          aria-controls="topbar-menu"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </button>
        <div className="topbar__menu-items" id="topbar-menu">
          <nav aria-label="Main" className="topbar__nav">
            {sections.map((s) => (
              <a key={s.path} href={href(s.path)} aria-current={current === s.path ? 'page' : undefined}>
                {s.label}
              </a>
            ))}
          </nav>
          {live !== 'idle' && (
            <span className={`live live--${live}`} role="status">
              {connectionLabels[live]}
            </span>
          )}
          {data && (
            <span className="topbar__me">
              {data.me.name} · {data.me.role === 'ADMIN' ? 'Admin' : 'Agent'}
            </span>
          )}
          <Button onClick={onSignOut}>Sign out</Button>
        </div>
      </header>
      {page}
    </div>
  );
}
