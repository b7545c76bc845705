/**
 * The WhatsApp webhook end to end on the real server (in-memory adapters): signed POSTs over HTTP →
 * webhook inbox → the inbox worker → customers, conversations, messages; statuses onto outbound
 * messages sent through the outbox worker to the stand-in Graph API.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PublishedEvent } from '../../../src/application/ports/gateways.js';
import type { MessagePrimitives } from '../../../src/domain/message/message.types.js';
import {
  APP_SECRET,
  eventually,
  firstValue,
  fixture,
  messageFixture,
  type RunningCrm,
  startCrm,
  statusPayload,
  textPayload,
  uniqueSuffix,
  VERIFY_TOKEN,
} from '../../support/crm-app.js';
import { GraphApiStandIn, graphError } from '../../support/graph-api-stand-in.js';
import { seedAgent } from '../../support/test-ports.js';

const NUMBER_A = { phoneNumberId: '106540352242922', accessToken: 'token-number-A' };
const NUMBER_B = { phoneNumberId: '206540352242999', accessToken: 'token-number-B' };

let graph: GraphApiStandIn;
let crm: RunningCrm;
let published: PublishedEvent[];
let phoneCounter = 0;
/** A valid Mexican mobile in WhatsApp's wa_id form, new on each call (a new customer). */
const newCustomer = () => `52155${String(10_000_000 + phoneCounter++ * 7919).slice(-8)}`;

beforeAll(async () => {
  graph = await GraphApiStandIn.start({ accounts: [NUMBER_A, NUMBER_B] });
  crm = await startCrm({
    env: {
      WHATSAPP_GRAPH_URL: graph.url,
      WHATSAPP_ACCESS_TOKEN: NUMBER_A.accessToken,
      WHATSAPP_PHONE_NUMBER_ID: NUMBER_A.phoneNumberId,
      WHATSAPP_NUMBERS: JSON.stringify([NUMBER_B]),
      BODY_LIMIT_BYTES: String(64 * 1024),
    },
    // The outbox never polls during these tests: every send is nudged, every retry woken by the
    // round that scheduled it.
    workers: { inboxIntervalMs: 50, outboxIntervalMs: 600_000 },
  });
  published = [];
  crm.ports.events.subscribe((e) => published.push(e));
});
afterAll(async () => {
  await crm?.stop();
  await graph?.close();
});
afterEach(() => {
  graph.reset();
});

describe('GET /webhooks/whatsapp (subscription handshake)', () => {
  const handshake = (query: Record<string, string>) =>
    fetch(`${crm.webhookUrl}?${new URLSearchParams(query)}`);

  it('echoes hub.challenge when the mode is subscribe and the verify token matches', async () => {
    const res = await handshake({
      'hub.mode': 'subscribe',
      'hub.verify_token': VERIFY_TOKEN,
      'hub.challenge': '1158201444',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1158201444');
  });

  it('answers 403 to a wrong token, another mode, or a missing challenge', async () => {
    const wrong = await handshake({
      'hub.mode': 'subscribe',
      'hub.verify_token': 'nope',
      'hub.challenge': '1',
    });
    const mode = await handshake({
      'hub.mode': 'unsubscribe',
      'hub.verify_token': VERIFY_TOKEN,
      'hub.challenge': '1',
    });
    const missing = await handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN });
    expect([wrong.status, mode.status, missing.status]).toEqual([403, 403, 403]);
  });
});

describe('POST /webhooks/whatsapp: every message type through the signed route', () => {
  const cases: {
    fixture: string;
    type: MessagePrimitives['type'];
    content: string | RegExp;
    attachment?: string;
  }[] = [
    { fixture: 'text', type: 'text', content: 'Body Text' },
    { fixture: 'text_meta_docs', type: 'text', content: /.+/ },
    { fixture: 'image', type: 'image', content: '[image]', attachment: 'image' },
    { fixture: 'audio', type: 'audio', content: /\[(voice message|audio)\]/, attachment: 'audio' },
    { fixture: 'video', type: 'video', content: /.+/, attachment: 'video' },
    { fixture: 'document', type: 'document', content: 'caption', attachment: 'document' },
    { fixture: 'sticker', type: 'sticker', content: '[sticker]', attachment: 'image' },
    { fixture: 'location', type: 'location', content: '📍 Facebook HQ, 1 Hacker Way, Menlo Park, CA 94025' },
    { fixture: 'contacts', type: 'contact', content: '👤 Chandler Bing, Monica, Rachel Green' },
    { fixture: 'interactive_button_reply', type: 'interactive', content: 'title' },
    { fixture: 'interactive_list_reply', type: 'interactive', content: /.+/ },
    { fixture: 'button_template_quick_reply', type: 'button', content: 'title' },
    { fixture: 'reaction', type: 'reaction', content: '😮' },
  ];

  for (const c of cases) {
    it(`${c.fixture}: acknowledged, then stored as a ${c.type} message`, async () => {
      const wamid = `wamid.${c.fixture}.${uniqueSuffix()}`;
      const from = newCustomer();
      const payload = messageFixture(c.fixture, { wamid, from });

      const res = await crm.post(payload);

      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'accepted', accepted: 1, duplicates: 0 });
      const message = await crm.stored(wamid);
      expect(message).toMatchObject({
        type: c.type,
        direction: 'inbound',
        sender: 'customer',
        status: 'delivered',
      });
      if (typeof c.content === 'string') expect(message.content).toBe(c.content);
      else expect(message.content).toMatch(c.content);
      if (c.attachment) {
        const media = (firstValue(payload).messages as Record<string, Record<string, unknown>>[])[0]![
          c.fixture
        ]!;
        expect(message.attachments).toEqual([
          expect.objectContaining({ type: c.attachment, whatsappMediaId: media.id, storage: 'pending' }),
        ]);
      } else {
        expect(message.attachments).toEqual([]);
      }
      const customer = await crm.ports.customers.findById(message.customerId);
      expect(customer?.phoneNumber).toBe(`+52${from.slice(3)}`);
      const conversation = await crm.ports.conversations.findById(message.conversationId);
      expect(conversation?.whatsappData).toMatchObject({
        phoneNumberId: (firstValue(payload).metadata as Record<string, string>).phone_number_id,
        businessAccountId: (payload.entry as { id: string }[])[0]!.id,
      });
    });
  }

  it('keeps the details of each type: location, shared contacts, the picked button and the reaction target', async () => {
    const from = newCustomer();
    const ids = ['location', 'contacts', 'interactive_button_reply', 'reaction'].map(
      (f) => `wamid.d.${f}.${uniqueSuffix()}`,
    );
    const [loc, contacts, button, reaction] = ids as [string, string, string, string];
    await crm.post(messageFixture('location', { wamid: loc, from }));
    await crm.post(messageFixture('contacts', { wamid: contacts, from }));
    await crm.post(messageFixture('interactive_button_reply', { wamid: button, from }));
    await crm.post(messageFixture('reaction', { wamid: reaction, from }));

    expect((await crm.stored(loc)).location).toEqual({
      latitude: 37.4611978,
      longitude: -122.2164385,
      name: 'Facebook HQ',
      address: '1 Hacker Way, Menlo Park, CA 94025',
    });
    expect((await crm.stored(loc)).isForwarded).toBe(true);
    expect((await crm.stored(contacts)).contacts).toEqual([
      { name: 'Chandler Bing', phones: ['+1 555-555-5555'] },
      { name: 'Monica', phones: ['+1 666-666-6666'] },
      { name: 'Rachel Green', phones: ['+1 777-777-7777'] },
    ]);
    expect((await crm.stored(button)).interactive).toMatchObject({
      type: 'button',
      replyId: 'callback_data',
    });
    expect((await crm.stored(reaction)).reaction).toMatchObject({
      emoji: '😮',
      whatsappMessageId: 'wamid.yzxyzx=',
    });
  });
});

describe('POST /webhooks/whatsapp: batches, duplicates, order', () => {
  it('handles every entry, change, contact and message of one body', async () => {
    const [c1, c2, c3] = [newCustomer(), newCustomer(), newCustomer()];
    const s = uniqueSuffix();
    const text = (from: string, id: string, body: string) => ({
      from,
      id,
      timestamp: String(Math.floor(Date.now() / 1000)),
      type: 'text',
      text: { body },
    });
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA-1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '1555', phone_number_id: NUMBER_A.phoneNumberId },
                contacts: [
                  { profile: { name: 'Uno' }, wa_id: c1 },
                  { profile: { name: 'Dos' }, wa_id: c2 },
                ],
                messages: [
                  text(c1, `wamid.b1.${s}`, 'uno'),
                  text(c2, `wamid.b2.${s}`, 'dos'),
                  text(c1, `wamid.b3.${s}`, 'tres'),
                ],
              },
            },
            { field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } },
          ],
        },
        {
          id: 'WABA-2',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '1666', phone_number_id: NUMBER_B.phoneNumberId },
                contacts: [{ profile: { name: 'Tres' }, wa_id: c3 }],
                messages: [text(c3, `wamid.b4.${s}`, 'cuatro')],
              },
            },
          ],
        },
      ],
    };

    const res = await crm.post(payload);

    expect(await res.json()).toMatchObject({ status: 'accepted', accepted: 4, ignored: 1 });
    const [m1, m2, m3, m4] = await Promise.all(
      ['b1', 'b2', 'b3', 'b4'].map((b) => crm.stored(`wamid.${b}.${s}`)),
    );
    expect(m1!.conversationId).toBe(m3!.conversationId); // one conversation per customer
    expect(m1!.conversationId).not.toBe(m2!.conversationId);
    const customer1 = await crm.ports.customers.findById(m1!.customerId);
    const customer3 = await crm.ports.customers.findById(m4!.customerId);
    expect(customer1?.firstName).toBe('Uno');
    expect(customer3?.firstName).toBe('Tres');
    const conversation3 = await crm.ports.conversations.findById(m4!.conversationId);
    expect(conversation3?.whatsappData).toMatchObject({
      phoneNumberId: NUMBER_B.phoneNumberId,
      businessAccountId: 'WABA-2',
    });
    const conversation1 = await crm.ports.conversations.findById(m1!.conversationId);
    expect(conversation1?.lastMessage?.content).toBe('tres'); // arrival order kept per customer
  });

  it('the same body twice (a retry), or twice at once, stores one message', async () => {
    const wamid = `wamid.dup.${uniqueSuffix()}`;
    const payload = textPayload(wamid, newCustomer(), 'una vez');

    const [a, b] = await Promise.all([crm.post(payload), crm.post(payload)]);
    const c = await crm.post(payload);

    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    const message = await crm.stored(wamid);
    // And once it has been processed (and left the inbox), a late redelivery changes nothing either.
    await eventually(async () => expect((await crm.inbox.counts(new Date(Date.now() + 1))).due).toBe(0));
    await crm.post(payload);
    await eventually(async () => expect((await crm.inbox.counts(new Date(Date.now() + 1))).due).toBe(0));
    expect(await crm.ports.messages.countByConversation(message.conversationId)).toBe(1);
    const conversation = await crm.ports.conversations.findById(message.conversationId);
    expect(conversation?.messageCount).toBe(1);
  });

  it('a sender WhatsApp considers a phone number but we cannot parse is kept in the inbox as dead, not lost', async () => {
    const wamid = `wamid.bad.${uniqueSuffix()}`;
    const before = await crm.inbox.counts(new Date());

    const res = await crm.post(textPayload(wamid, '972987654321')); // not a valid number for libphonenumber

    expect(res.status).toBe(200);
    await eventually(async () => expect((await crm.inbox.counts(new Date())).dead).toBe(before.dead + 1));
    expect(await crm.ports.messages.findByWhatsappId(wamid)).toBeNull();
  });
});

describe('POST /webhooks/whatsapp: refusals', () => {
  const inboxSize = async () => {
    const c = await crm.inbox.counts(new Date(Date.now() + 3_600_000));
    return c.due + c.waiting + c.dead;
  };

  it('401 and nothing stored for a missing, malformed or wrong signature', async () => {
    const wamid = `wamid.unsigned.${uniqueSuffix()}`;
    const payload = textPayload(wamid, newCustomer());
    const raw = Buffer.from(JSON.stringify(payload));
    const before = await inboxSize();

    const missing = await fetch(crm.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw,
    });
    const wrong = await crm.post(payload, { secret: 'not-the-secret' });
    const garbage = await crm.post(payload, { headers: { 'x-hub-signature-256': 'sha256=zz' } });
    // Signed, then altered in transit: the signature no longer matches the bytes.
    const tampered = await crm.post(payload, {
      raw: Buffer.from(JSON.stringify({ ...payload, object: 'whatsapp_business_account ' })),
      headers: { 'x-hub-signature-256': (await import('../../support/crm-app.js')).sign(raw, APP_SECRET) },
    });

    expect([missing.status, wrong.status, garbage.status, tampered.status]).toEqual([401, 401, 401, 401]);
    expect(await inboxSize()).toBe(before);
    await new Promise((r) => setTimeout(r, 100));
    expect(await crm.ports.messages.findByWhatsappId(wamid)).toBeNull();
  });

  it('400 for a body that is not JSON or not a JSON object', async () => {
    const notJson = await crm.post(undefined, {
      raw: Buffer.from('{"object": "whatsapp_business_account",'),
    });
    const array = await crm.post([1, 2]);
    const string = await crm.post('hello');
    expect([notJson.status, array.status, string.status]).toEqual([400, 400, 400]);
  });

  it('200 "ignored" and nothing stored for a well-formed body with nothing usable', async () => {
    const before = await inboxSize();
    const other = await crm.post({ object: 'page', entry: [] });
    const empty = await crm.post({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [] }] });
    const nothing = await crm.post({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'messages', value: { metadata: { phone_number_id: '1' } } }] }],
    });

    for (const res of [other, empty, nothing]) {
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ignored' });
    }
    expect(await inboxSize()).toBe(before);
  });

  it('413 for a body over the limit', async () => {
    const big = textPayload(`wamid.big.${uniqueSuffix()}`, newCustomer(), 'x'.repeat(70 * 1024));
    const res = await crm.post(big);
    expect(res.status).toBe(413);
  });

  it('503 (never accepted unsigned) when no app secret is configured', async () => {
    const bare = await startCrm({ env: { WHATSAPP_APP_SECRET: undefined }, workers: false });
    try {
      const res = await bare.post(textPayload(`wamid.nosecret.${uniqueSuffix()}`, newCustomer()));
      expect(res.status).toBe(503);
      expect((await bare.inbox.counts(new Date())).due).toBe(0);
    } finally {
      await bare.stop();
    }
  });
});

describe('statuses and the outbox', () => {
  /** A customer writes in; an agent answers; returns the queued reply. */
  async function conversationWithReply(opts: { phoneNumberId?: string } = {}) {
    const from = newCustomer();
    const inbound = `wamid.in.${uniqueSuffix()}`;
    await crm.post(textPayload(inbound, from, 'hola', opts));
    const received = await crm.stored(inbound);
    const { actor } = await seedAgent(crm.ports, 'admin');
    const { message } = await crm.useCases.messages.send.execute({
      actor,
      conversationId: received.conversationId,
      message: { type: 'text', content: 'Hola, ¿en qué te ayudo?' },
    });
    return { from, reply: message, conversationId: received.conversationId };
  }
  const sentMessage = (id: string) =>
    eventually(async () => {
      const m = await crm.ports.messages.findById(id);
      if (!m?.whatsappMessageId) throw new Error('not sent yet');
      return m;
    });

  it('the outbox worker sends a queued reply at once (nudged), from the conversation’s number', async () => {
    const { reply, from } = await conversationWithReply({ phoneNumberId: NUMBER_B.phoneNumberId });

    const sent = await sentMessage(reply.id);

    expect(sent.status).toBe('sent');
    const requests = graph.messagesTo(NUMBER_B.phoneNumberId);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${NUMBER_B.accessToken}`);
    // To the customer's E.164 number (WhatsApp's Mexican wa_id 521… is +52…).
    expect(requests[0]?.body).toMatchObject({
      to: `52${from.slice(3)}`,
      type: 'text',
      text: { body: 'Hola, ¿en qué te ayudo?' },
    });
  });

  it('outbound media goes by link: an image with a URL is sent as WhatsApp `image.link` with its caption', async () => {
    const from = newCustomer();
    const inbound = `wamid.in.${uniqueSuffix()}`;
    await crm.post(textPayload(inbound, from, '¿me mandas la foto?'));
    const received = await crm.stored(inbound);
    const { actor } = await seedAgent(crm.ports, 'admin');
    const { message } = await crm.useCases.messages.send.execute({
      actor,
      conversationId: received.conversationId,
      message: {
        type: 'image',
        content: 'Aquí está',
        attachments: [{ type: 'image', url: 'https://cdn.example.com/catalogo.jpg', mimeType: 'image/jpeg' }],
      },
    });

    await sentMessage(message.id);

    expect(graph.messagesTo(NUMBER_A.phoneNumberId).at(-1)?.body).toMatchObject({
      type: 'image',
      image: { link: 'https://cdn.example.com/catalogo.jpg', caption: 'Aquí está' },
    });
  });

  it('statuses move the message forward, never back: read before delivered, then a late sent', async () => {
    const { reply, from } = await conversationWithReply();
    const sent = await sentMessage(reply.id);
    const wamid = sent.whatsappMessageId!;
    const t = Math.floor(Date.now() / 1000);

    await crm.post(statusPayload(wamid, 'read', { recipient: from, timestamp: t + 5 }));
    await eventually(async () => expect((await crm.ports.messages.findById(reply.id))?.status).toBe('read'));
    await crm.post(statusPayload(wamid, 'delivered', { recipient: from, timestamp: t + 3 }));
    await crm.post(statusPayload(wamid, 'sent', { recipient: from, timestamp: t + 1 }));
    await eventually(async () => expect((await crm.inbox.counts(new Date(Date.now() + 1))).due).toBe(0));

    const final = await crm.ports.messages.findById(reply.id);
    expect(final?.status).toBe('read');
    expect(final?.readAt?.getTime()).toBe((t + 5) * 1000);
    expect(final?.deliveredAt).toBeDefined(); // filled by the read
  });

  it('a status that arrives before its message has its WhatsApp id waits, then applies once the outbox records it', async () => {
    // The stand-in numbers its message ids: the next send will be answered with this one.
    const probe = await fetch(`${graph.url}/v23.0/${NUMBER_A.phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${NUMBER_A.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        to: '5215500000000',
        type: 'text',
        text: { body: 'probe' },
      }),
    });
    const probeId = ((await probe.json()) as { messages: { id: string }[] }).messages[0]!.id;
    const nextId = `wamid.STANDIN${String(Number(probeId.slice('wamid.STANDIN'.length)) + 1).padStart(8, '0')}`;
    // WhatsApp is slow to answer the send; its delivered webhook overtakes the answer.
    graph.failNext({ kind: 'slow', delayMs: 600 }, { path: /\/messages$/ });

    const { reply, from } = await conversationWithReply();
    await crm.post(statusPayload(nextId, 'delivered', { recipient: from }));
    await eventually(async () =>
      expect((await crm.inbox.counts(new Date())).waiting).toBeGreaterThanOrEqual(1),
    );
    expect((await crm.ports.messages.findById(reply.id))?.status).toBe('pending');

    const started = Date.now();
    await eventually(
      async () => expect((await crm.ports.messages.findById(reply.id))?.status).toBe('delivered'),
      5_000,
    );
    // Released by the "sent" event, not by the waiting status's own back-off (2 s).
    expect(Date.now() - started).toBeLessThan(1_900);
    expect((await crm.ports.messages.findById(reply.id))?.whatsappMessageId).toBe(nextId);
  });

  it('a failed status marks the message failed with WhatsApp’s error, counts on the conversation, and is published', async () => {
    const { reply, from, conversationId } = await conversationWithReply();
    const wamid = (await sentMessage(reply.id)).whatsappMessageId!;
    const since = published.length;

    await crm.post(
      statusPayload(wamid, 'failed', {
        recipient: from,
        errors: [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable' }],
      }),
    );

    await eventually(async () =>
      expect((await crm.ports.messages.findById(reply.id))?.status).toBe('failed'),
    );
    const failed = await crm.ports.messages.findById(reply.id);
    expect(failed).toMatchObject({ whatsappErrorCode: 131026, whatsappError: 'Message undeliverable' });
    const event = published
      .slice(since)
      .find((e) => e.type === 'message.status_changed' && (e.payload as { to?: string }).to === 'failed');
    expect(event?.payload).toMatchObject({ messageId: reply.id, conversationId, whatsappErrorCode: 131026 });
  });

  it('retries a throttled send with back-off and gives up at once on a permanent refusal (an event the CRM sees)', async () => {
    graph.failNext(graphError(130429), { times: 1, path: /\/messages$/ });
    const first = await conversationWithReply();
    await eventually(async () => {
      const m = await crm.ports.messages.findById(first.reply.id);
      expect(m?.sendAttempts).toBe(1);
      expect(m?.status).toBe('pending');
      expect(m?.nextAttemptAt?.getTime()).toBeGreaterThan(Date.now());
    });
    const retried = await eventually(() => sentMessage(first.reply.id), 5_000);
    expect(retried.status).toBe('sent');

    graph.failNext(graphError(131047), { times: 1, path: /\/messages$/ });
    const since = published.length;
    const second = await conversationWithReply();
    await eventually(async () =>
      expect((await crm.ports.messages.findById(second.reply.id))?.status).toBe('failed'),
    );
    expect(await crm.ports.messages.findById(second.reply.id)).toMatchObject({ whatsappErrorCode: 131047 });
    expect(
      published
        .slice(since)
        .some((e) => e.type === 'message.status_changed' && (e.payload as { to?: string }).to === 'failed'),
    ).toBe(true);
  });
});

describe('fixtures of statuses', () => {
  it('status_sent / status_delivered / status_failed fixtures for an unknown message are accepted and parked', async () => {
    for (const name of ['status_sent', 'status_delivered', 'status_failed']) {
      const payload = fixture(name);
      const status = (firstValue(payload).statuses as { id: string }[])[0]!;
      status.id = `wamid.nobody.${uniqueSuffix()}`;
      const res = await crm.post(payload);
      expect(await res.json()).toMatchObject({ status: 'accepted', accepted: 1 });
    }
    // Parked (due again in 2 s, then 4 s, ...), not dropped: their message may still get its id.
    await eventually(async () =>
      expect((await crm.inbox.counts(new Date())).waiting).toBeGreaterThanOrEqual(3),
    );
  });
});
