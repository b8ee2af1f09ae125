import { mountWidget, type MountedWidget, type WidgetConnection } from '../../shared/api';
import { HubspotCard } from './HubspotCard';

export type AdminCardProps = WidgetConnection;

/** Embeds the HubSpot integration card in a host page's element. */
export function mount(element: Element, props: AdminCardProps = {}): MountedWidget<AdminCardProps> {
  return mountWidget(element, props, () => <HubspotCard />);
}
