import type { Ports } from '../ports/ports.js';
import type { InboxEvent } from '../ports/webhook-inbox.js';

/**
 * The webhook route's only write: the events of one webhook go into the inbox, durably, before
 * WhatsApp gets its `200`. Events already waiting there (a redelivery) are skipped. Processing
 * happens later, in ProcessWebhookInbox.
 */
export class AcceptWebhookEvents {
  constructor(private readonly ports: Pick<Ports, 'webhookInbox' | 'clock'>) {}

  execute(events: InboxEvent[]): Promise<{ added: number; duplicates: number }> {
    if (events.length === 0) return Promise.resolve({ added: 0, duplicates: 0 });
    return this.ports.webhookInbox.add(events, this.ports.clock.now());
  }
}
