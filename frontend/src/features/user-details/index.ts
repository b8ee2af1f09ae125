export { UserDetails, type UserDetailsProps } from './UserDetails';
export { mount, type UserDetailsMountProps } from './mount';
