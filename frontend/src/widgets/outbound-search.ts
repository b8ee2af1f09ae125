// Search HubSpot contacts (outbound) as an embeddable widget: /widgets/outbound-search.js (and its .css),
// mount(element, { onSelect, selected, onClear }).
import '../styles.css';

export { mount, type ContactSearchMountProps } from '../features/outbound-search';
