import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboxEvent, WebhookInbox } from '../../src/application/ports/webhook-inbox.js';
import { minutesAfterBase } from '../support/records.js';

/**
 * What every WebhookInbox adapter promises (src/application/ports/webhook-inbox.ts).
 * `make` returns a fresh, empty inbox; `makeSecond` (optional) a second handle on the SAME store,
 * as another node would have.
 */
export function describeWebhookInboxContract(
  name: string,
  make: () => Promise<{ repo: WebhookInbox; second?: WebhookInbox; cleanup(): Promise<void> }>,
): void {
  describe(`${name} WebhookInbox contract`, () => {
    let inbox: WebhookInbox;
    let other: WebhookInbox;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      const made = await make();
      inbox = made.repo;
      other = made.second ?? made.repo;
      cleanup = made.cleanup;
    });
    afterEach(async () => {
      await cleanup();
    });

    const t0 = minutesAfterBase(0);
    const message = (wamid: string, from = '15551230000'): InboxEvent => ({
      kind: 'message',
      key: `message:${wamid}`,
      orderKey: from,
      message: {
        whatsappMessageId: wamid,
        from,
        profileName: 'Ana',
        phoneNumberId: '100200300',
        businessAccountId: '900800700',
        timestamp: minutesAfterBase(-1),
        type: 'image',
        content: 'look',
        media: { id: 'media-1', mimeType: 'image/jpeg', caption: 'look' },
        location: { latitude: 19.4, longitude: -99.1, name: 'Centro' },
        contacts: [{ name: 'Pedro', phones: ['+5215512340000'] }],
        interactive: { type: 'list', replyId: 'r1', title: 'Row', description: 'd' },
        reaction: { emoji: '👍', whatsappMessageId: 'wamid.other', removed: false },
        replyToWhatsappId: 'wamid.prev',
        isForwarded: true,
      },
    });
    const status = (
      wamid: string,
      s: 'sent' | 'delivered' | 'read' | 'failed' = 'delivered',
    ): InboxEvent => ({
      kind: 'status',
      key: `status:${wamid}:${s}`,
      orderKey: '15551230000',
      status: {
        whatsappMessageId: wamid,
        status: s,
        timestamp: minutesAfterBase(-1),
        ...(s === 'failed' ? { errors: [{ code: 131026, title: 'Message undeliverable' }] } : {}),
      },
    });

    it('stores events and hands them back whole (dates included), in body order', async () => {
      const events = [message('wamid.A'), status('wamid.OUT'), message('wamid.B')];
      expect(await inbox.add(events, t0)).toEqual({ added: 3, duplicates: 0 });

      const claimed = await inbox.due(t0, 10);

      expect(claimed.map((r) => r.key)).toEqual([
        'message:wamid.A',
        'status:wamid.OUT:delivered',
        'message:wamid.B',
      ]);
      expect(claimed[0]).toEqual({
        key: 'message:wamid.A',
        event: events[0],
        receivedAt: t0,
        position: 0,
        attempts: 0,
        dueAt: t0,
      });
      expect(claimed[1]?.event).toEqual(events[1]);
    });

    it('skips events already in the inbox (a redelivered webhook), adding the new ones', async () => {
      await inbox.add([message('wamid.A'), status('wamid.OUT')], t0);

      const again = await other.add(
        [message('wamid.A'), message('wamid.C'), status('wamid.OUT')],
        minutesAfterBase(0.5),
      );

      expect(again).toEqual({ added: 1, duplicates: 2 });
      const keys = (await inbox.due(minutesAfterBase(0.5), 10)).map((r) => r.key);
      expect(keys).toEqual(['message:wamid.A', 'status:wamid.OUT:delivered', 'message:wamid.C']);
    });

    it('answers webhooks added at the same time each with its own counts, storing every event once', async () => {
      await inbox.add([message('wamid.OLD')], t0);
      // 40 webhooks at once (as concurrent requests add them), some redelivered while the first copy
      // is still being written, one carrying an event already stored, one twice the same event.
      const webhooks = Array.from({ length: 40 }, (_, i) =>
        i === 7
          ? [message('wamid.OLD'), message('wamid.N7')]
          : i === 9
            ? [message('wamid.N9'), message('wamid.N9')]
            : [message(`wamid.N${i % 30}`), status(`wamid.S${i % 30}`)],
      );
      const answers = await Promise.all(webhooks.map((events) => inbox.add(events, t0)));

      expect(answers[7]).toEqual({ added: 1, duplicates: 1 });
      expect(answers[9]!.added + answers[9]!.duplicates).toBe(2);
      expect(answers[9]!.duplicates).toBeGreaterThanOrEqual(1);
      // Every event is stored exactly once, and the counts add up to what was sent.
      const keys = (await inbox.due(t0, 1_000)).map((r) => r.key);
      expect(new Set(keys).size).toBe(keys.length);
      const sent = new Set(webhooks.flat().map((e) => e.key));
      expect(keys.length).toBe(sent.size);
      const added = answers.reduce((n, a) => n + a.added, 0);
      const duplicates = answers.reduce((n, a) => n + a.duplicates, 0);
      expect(added).toBe(sent.size - 1); // wamid.OLD was already there
      expect(added + duplicates).toBe(webhooks.flat().length);
    });

    it('keeps each status of one message as its own event', async () => {
      const added = await inbox.add(
        [status('wamid.X', 'sent'), status('wamid.X', 'delivered'), status('wamid.X', 'read')],
        t0,
      );
      expect(added).toEqual({ added: 3, duplicates: 0 });
    });

    it('due only reads: the same records come back until completed or rescheduled', async () => {
      await inbox.add([message('wamid.A')], t0);
      expect(await inbox.due(t0, 10)).toHaveLength(1);
      expect(await other.due(t0, 10)).toHaveLength(1);
      expect(await inbox.due(minutesAfterBase(-1), 10)).toEqual([]); // received later than that
    });

    it('gives at most `limit` due records, oldest first', async () => {
      await inbox.add([message('wamid.late')], minutesAfterBase(0.2));
      await inbox.add([message('wamid.early1'), message('wamid.early2')], minutesAfterBase(0.1));

      const claimed = await inbox.due(minutesAfterBase(0.3), 2);

      expect(claimed.map((r) => r.key)).toEqual(['message:wamid.early1', 'message:wamid.early2']);
    });

    it('gives a batch larger than a page (up to MAX_INBOX_BATCH) in one call', async () => {
      await inbox.add(
        Array.from({ length: 260 }, (_, i) => message(`wamid.M${i}`)),
        t0,
      );

      expect(await inbox.due(t0, 250)).toHaveLength(250);
      expect(await inbox.due(t0, 5_000)).toHaveLength(260);
      expect(await inbox.due(t0, 0)).toHaveLength(1);
    });

    it('complete deletes processed records', async () => {
      await inbox.add([message('wamid.A'), message('wamid.B')], t0);

      await inbox.complete(['message:wamid.A']);
      await inbox.complete([]);

      expect((await inbox.due(t0, 10)).map((r) => r.key)).toEqual(['message:wamid.B']);
      // Once processed and deleted, a late redelivery is accepted again (the stores de-duplicate it).
      await inbox.complete(['message:wamid.B']);
      expect(await inbox.add([message('wamid.B')], t0)).toEqual({ added: 1, duplicates: 0 });
    });

    it('complete deletes a batch larger than one write command, and nothing else', async () => {
      const ids = Array.from({ length: 130 }, (_, i) => `wamid.C${i}`);
      await inbox.add([...ids.map((id) => message(id)), message('wamid.kept')], t0);

      await inbox.complete(ids.map((id) => `message:${id}`));

      expect((await inbox.due(t0, 200)).map((r) => r.key)).toEqual(['message:wamid.kept']);
    });

    it('complete deletes records from anywhere in the due order, keeping the order of the rest', async () => {
      await inbox.add(
        ['A', 'B', 'C', 'D', 'E'].map((id) => message(`wamid.${id}`)),
        t0,
      );

      await inbox.complete(['message:wamid.A', 'message:wamid.D', 'message:wamid.B']);

      expect((await inbox.due(t0, 10)).map((r) => r.key)).toEqual(['message:wamid.C', 'message:wamid.E']);
    });

    it('reschedule: not due before dueAt; dead (no dueAt) is never due again but is counted', async () => {
      await inbox.add([message('wamid.A'), message('wamid.B')], t0);

      await inbox.reschedule('message:wamid.A', {
        attempts: 1,
        dueAt: minutesAfterBase(5),
        lastError: 'db down',
      });
      await inbox.reschedule('message:wamid.B', { attempts: 10, lastError: 'invalid phone' });

      expect(await inbox.due(minutesAfterBase(4), 10)).toEqual([]);
      const later = await inbox.due(minutesAfterBase(5), 10);
      expect(later).toEqual([
        expect.objectContaining({
          key: 'message:wamid.A',
          attempts: 1,
          dueAt: minutesAfterBase(5),
          lastError: 'db down',
        }),
      ]);
      expect(await inbox.counts(minutesAfterBase(4))).toEqual({ due: 0, waiting: 1, dead: 1 });
      expect(await inbox.counts(minutesAfterBase(5))).toEqual({ due: 1, waiting: 0, dead: 1 });
    });

    it('wake makes the statuses waiting for that WhatsApp id due now, and only those', async () => {
      await inbox.add(
        [status('wamid.OUT1', 'delivered'), status('wamid.OUT1', 'read'), status('wamid.OUT2')],
        t0,
      );
      for (const key of ['status:wamid.OUT1:delivered', 'status:wamid.OUT1:read']) {
        await inbox.reschedule(key, { attempts: 1, dueAt: minutesAfterBase(30), waitingFor: 'wamid.OUT1' });
      }
      await inbox.reschedule('status:wamid.OUT2:delivered', {
        attempts: 1,
        dueAt: minutesAfterBase(30),
        waitingFor: 'wamid.OUT2',
      });

      expect(await other.wake('wamid.OUT1', minutesAfterBase(2))).toBe(2);
      expect(await other.wake('wamid.unknown', minutesAfterBase(2))).toBe(0);

      const due = await inbox.due(minutesAfterBase(2), 10);
      expect(due.map((r) => r.key)).toEqual(['status:wamid.OUT1:delivered', 'status:wamid.OUT1:read']);
      expect(due[0]).toMatchObject({ waitingFor: 'wamid.OUT1', attempts: 1, dueAt: minutesAfterBase(2) });
    });

    it('counts due, waiting and dead records', async () => {
      expect(await inbox.counts(t0)).toEqual({ due: 0, waiting: 0, dead: 0 });
      await inbox.add([message('wamid.A'), message('wamid.B'), message('wamid.C')], t0);
      await inbox.reschedule('message:wamid.B', { attempts: 1, dueAt: minutesAfterBase(9) });
      await inbox.reschedule('message:wamid.C', { attempts: 3 });
      expect(await inbox.counts(t0)).toEqual({ due: 1, waiting: 1, dead: 1 });
    });
  });
}
