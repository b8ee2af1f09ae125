export { ContactSearch, contactName, minQueryLength, searchDelayMs, type ContactSearchProps, type SearchContact } from './ContactSearch';
export { mount, type ContactSearchMountProps } from './mount';
