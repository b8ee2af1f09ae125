export { Banner, type BannerProps, type BannerTone } from './Banner';
export { Button, type ButtonProps, type ButtonVariant } from './Button';
export { Dialog, type DialogProps } from './Dialog';
export { Field, type FieldProps } from './Field';
export { EmailAddress } from './EmailAddress';
export { ExternalLink, type ExternalLinkProps } from './ExternalLink';
export { LiveUpdatesPaused } from './LiveUpdatesPaused';
