import { mountWidget, type MountedWidget, type WidgetConnection } from '../../shared/api';
import { ContactSearch, type ContactSearchProps } from './ContactSearch';

export type ContactSearchMountProps = ContactSearchProps & WidgetConnection;

/** Embeds Search HubSpot contacts in a host page's element; update() passes the new selection (or error). */
export function mount(element: Element, props: ContactSearchMountProps): MountedWidget<ContactSearchMountProps> {
  return mountWidget(element, props, ({ client: _client, token: _token, url: _url, onUnauthorized: _onUnauthorized, ...rest }) => (
    <ContactSearch {...rest} />
  ));
}
