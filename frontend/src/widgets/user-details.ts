// User Details as an embeddable widget: /widgets/user-details.js (and its .css), mount(element, { customerId }).
import '../styles.css';

export { mount, type UserDetailsMountProps } from '../features/user-details';
