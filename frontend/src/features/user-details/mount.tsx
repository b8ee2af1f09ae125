import { mountWidget, type MountedWidget, type WidgetConnection } from '../../shared/api';
import { UserDetails, type UserDetailsProps } from './UserDetails';

export type UserDetailsMountProps = UserDetailsProps & WidgetConnection;

/** Embeds the User Details panel for one customer; update() switches it to another. */
export function mount(element: Element, props: UserDetailsMountProps): MountedWidget<UserDetailsMountProps> {
  return mountWidget(element, props, ({ customerId, channel, conversationId }) => (
    <UserDetails customerId={customerId} channel={channel} conversationId={conversationId} />
  ));
}
