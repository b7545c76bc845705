import type { Ports } from '../ports/ports.js';

/**
 * Our outbound message just got its WhatsApp id (the outbox recorded `sent`): delivery statuses
 * that arrived before it, parked in the inbox waiting for that id, become due now. (Were this call
 * missed, e.g. by a crash, the parked statuses are retried on their own back-off anyway.)
 */
export class ReleaseWaitingStatuses {
  constructor(private readonly ports: Pick<Ports, 'webhookInbox' | 'clock'>) {}

  execute(whatsappMessageId: string): Promise<number> {
    return this.ports.webhookInbox.wake(whatsappMessageId, this.ports.clock.now());
  }
}
