// The admin card as an embeddable widget: a host page loads /widgets/admin-card.js (and its .css) and calls
// mount(element, props). Only this feature and what it shares with the others are in its bundle.
import '../styles.css';

export { mount, type AdminCardProps } from '../features/admin-card';
