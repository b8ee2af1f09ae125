// The channels a conversation can run on, as the gateway names them (convrs.Channels on the Go side).
export const channels = ['web', 'whatsapp', 'sms', 'email'] as const;

const labels: Record<string, string> = { web: 'Web chat', whatsapp: 'WhatsApp', sms: 'SMS', email: 'Email' };

/** The name a person reads for a channel; unknown channels are shown as they are. */
export function channelLabel(channel: string): string {
  return labels[channel] ?? channel;
}
