import type { Client } from '@urql/core';
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { createGraphqlClient } from './client';
import { readToken } from './session';

/** How a host page connects an embedded widget to the gateway. */
export interface WidgetConnection {
  /** A client the host already has; otherwise the widget makes its own. */
  client?: Client;
  /** The staff session token; defaults to the one in localStorage. */
  token?: string;
  /** The GraphQL endpoint; defaults to /query on the page's origin. */
  url?: string;
  /** Called when the gateway refuses the session. */
  onUnauthorized?: () => void;
}

export interface MountedWidget<Props> {
  /** Renders the widget again with new props (e.g. another customer). */
  update(props: Props): void;
  unmount(): void;
}

/** Renders a widget into a host page's element with its own React root and GraphQL client. */
export function mountWidget<Props extends WidgetConnection>(
  element: Element,
  props: Props,
  render: (props: Props) => ReactNode,
): MountedWidget<Props> {
  const own = props.client
    ? null
    : createGraphqlClient({ getToken: () => props.token ?? readToken(), url: props.url, onUnauthorized: props.onUnauthorized });
  const client = props.client ?? own!.client;
  const root = createRoot(element);
  const draw = (next: Props) =>
    root.render(
      <StrictMode>
        <Provider value={client}>{render(next)}</Provider>
      </StrictMode>,
    );
  draw(props);
  return {
    update: draw,
    unmount() {
      root.unmount();
      own?.dispose();
    },
  };
}
