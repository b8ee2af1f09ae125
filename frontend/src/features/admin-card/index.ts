export { HubspotCard } from './HubspotCard';
export { mount, type AdminCardProps } from './mount';
