import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type InboundMessageEvent,
  parseWebhook,
  WebhookPayloadError,
  webhookEnvelopeSchema,
} from '../../../../src/infrastructure/whatsapp/webhook-payload.js';

/** Copies of /work/shared/fixtures/whatsapp (see SOURCES.tsv there for attribution). */
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/whatsapp');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const only = (name: string): InboundMessageEvent => {
  const parsed = parseWebhook(fixture(name));
  expect(parsed.inbound).toHaveLength(1);
  expect(parsed.statuses).toEqual([]);
  expect(parsed.ignored).toBe(0);
  return parsed.inbound[0]!;
};
const at = (unixSeconds: number) => new Date(unixSeconds * 1000);

const PYWA_COMMON = {
  from: '972987654321',
  profileName: 'Test Name',
  phoneNumberId: '1122334455667',
  displayPhoneNumber: '972123456789',
};

describe('parseWebhook on the shared fixtures', () => {
  it('text.json: a text message with the profile name of its sender', () => {
    expect(only('text.json')).toEqual({
      ...PYWA_COMMON,
      dedupeKey: 'wamid.xyzxyz',
      whatsappMessageId: 'wamid.xyzxyz',
      businessAccountId: '1234567890987654321',
      timestamp: at(1697043223),
      type: 'text',
      rawType: 'text',
      content: 'Body Text',
      isForwarded: false,
      frequentlyForwarded: false,
    });
  });

  it("text_meta_docs.json: Meta's own example", () => {
    const m = only('text_meta_docs.json');
    expect(m).toMatchObject({
      whatsappMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
      from: '16505551234',
      profileName: 'Sheena Nelson',
      phoneNumberId: '106540352242922',
      displayPhoneNumber: '15550783881',
      businessAccountId: '102290129340398',
      timestamp: at(1749416383),
      type: 'text',
      content: 'Does it come in another color?',
    });
  });

  it('image.json: media id, mime type and sha256; content is a placeholder without caption', () => {
    const m = only('image.json');
    expect(m).toMatchObject({
      ...PYWA_COMMON,
      type: 'image',
      rawType: 'image',
      content: '[image]',
      timestamp: at(1697043379),
    });
    expect(m.media).toEqual({ id: '65463453', mimeType: 'image/jpeg', sha256: '4654+8g=' });
    expect(m.isForwarded).toBe(false);
  });

  it('video.json: caption becomes the content; forwarded', () => {
    const m = only('video.json');
    expect(m).toMatchObject({
      type: 'video',
      content: 'caption',
      isForwarded: true,
      frequentlyForwarded: false,
    });
    expect(m.media).toEqual({
      id: '765756756',
      mimeType: 'video/mp4',
      sha256: 'Jh+2ij6PzUv/J2y+grrtegr/ZMzRxkEPwc24Oyib4s03w9Jc=',
      caption: 'caption',
    });
    expect(m.replyToWhatsappId).toBeUndefined();
  });

  it('document.json: filename, caption and mime type', () => {
    const m = only('document.json');
    expect(m).toMatchObject({
      type: 'document',
      content: 'caption',
      isForwarded: true,
      timestamp: at(1697043666),
    });
    expect(m.media).toEqual({
      id: '1234567890987654321',
      mimeType: 'application/pdf',
      sha256: 'grwfwe/ZPx0wAbdfbdeFUNItPZ0RylL8gGUvdt3YFqc18SY=',
      filename: 'filename.pdf',
      caption: 'caption',
    });
  });

  it('audio.json: voice flag kept; a non-voice audio reads [audio]', () => {
    const m = only('audio.json');
    expect(m).toMatchObject({ type: 'audio', content: '[audio]', isForwarded: true });
    expect(m.media).toEqual({
      id: '1234567890987654321',
      mimeType: 'audio/ogg; codecs=opus',
      sha256: 'E3dxS/PdYZE7ppA3pQ4mpCFaXBJ8pX4SRN/dsfvds/iPGA=',
      voice: false,
    });
  });

  it('sticker.json: sticker type with the animated flag', () => {
    const m = only('sticker.json');
    expect(m).toMatchObject({ type: 'sticker', rawType: 'sticker', content: '[sticker]' });
    expect(m.media).toEqual({
      id: '1234567890987654321',
      mimeType: 'image/webp',
      sha256: 'OmT4nhjUhCMIPNmj7eeOZeCYjTXkLxoOv85OMCFwSuc=',
      animated: false,
    });
  });

  it('location.json: coordinates, name, address, url; a 📍 summary', () => {
    const m = only('location.json');
    expect(m).toMatchObject({
      type: 'location',
      content: '📍 Facebook HQ, 1 Hacker Way, Menlo Park, CA 94025',
      isForwarded: true,
    });
    expect(m.location).toEqual({
      latitude: 37.4611978,
      longitude: -122.2164385,
      name: 'Facebook HQ',
      address: '1 Hacker Way, Menlo Park, CA 94025',
      url: 'https://maps.google.com/?cid=2000000000000000000',
    });
  });

  it("contacts.json: type 'contact', each card's name and phones", () => {
    const m = only('contacts.json');
    expect(m).toMatchObject({
      type: 'contact',
      rawType: 'contacts',
      content: '👤 Chandler Bing, Monica, Rachel Green',
    });
    expect(m.contacts).toEqual([
      { name: 'Chandler Bing', phones: ['+1 555-555-5555'] },
      { name: 'Monica', phones: ['+1 666-666-6666'] },
      { name: 'Rachel Green', phones: ['+1 777-777-7777'] },
    ]);
  });

  it('reaction.json: the emoji and the message reacted to', () => {
    const m = only('reaction.json');
    expect(m).toMatchObject({ type: 'reaction', content: '😮' });
    expect(m.reaction).toEqual({ emoji: '😮', whatsappMessageId: 'wamid.yzxyzx=', removed: false });
  });

  it('interactive_button_reply.json: a button tap, replying to the message with the buttons', () => {
    const m = only('interactive_button_reply.json');
    expect(m).toMatchObject({
      type: 'interactive',
      content: 'title',
      replyToWhatsappId: 'wamid.xyzxyz',
      businessAccountId: '5467539754836534',
      isForwarded: false,
    });
    expect(m.interactive).toEqual({ type: 'button', replyId: 'callback_data', title: 'title' });
  });

  it('interactive_list_reply.json: a list row picked', () => {
    const m = only('interactive_list_reply.json');
    expect(m).toMatchObject({
      whatsappMessageId: 'wamid.zyzxyz',
      type: 'interactive',
      content: 'title',
      replyToWhatsappId: 'wamid.xyzxyz',
    });
    expect(m.interactive).toEqual({ type: 'list', replyId: 'callback_data', title: 'title' });
  });

  it("button_template_quick_reply.json: type 'button' with text and payload", () => {
    const m = only('button_template_quick_reply.json');
    expect(m).toMatchObject({
      whatsappMessageId: 'wamid.xsidjw',
      type: 'button',
      rawType: 'button',
      content: 'title',
      replyToWhatsappId: 'wamid.xyzxyz==',
      timestamp: at(1698269027),
    });
    expect(m.button).toEqual({ text: 'title', payload: 'callback_data' });
    expect(m.interactive).toBeUndefined();
  });

  it('status_sent.json: a sent status with conversation and pricing kept raw', () => {
    const parsed = parseWebhook(fixture('status_sent.json'));
    expect(parsed.inbound).toEqual([]);
    expect(parsed.ignored).toBe(0);
    expect(parsed.statuses).toEqual([
      {
        dedupeKey: 'wamid.xyzxyz:sent',
        statusId: 'wamid.xyzxyz',
        status: 'sent',
        timestamp: at(1698266945),
        recipientId: '972987654321',
        phoneNumberId: '1122334455667',
        businessAccountId: '5467539754836534',
        conversation: {
          id: '7270432eae37498234f4444b35ffc5',
          expiration_timestamp: '1698339900',
          origin: { type: 'service' },
        },
        pricing: { billable: true, pricing_model: 'CBP', category: 'service' },
      },
    ]);
  });

  it('status_delivered.json: a delivered status', () => {
    const [s] = parseWebhook(fixture('status_delivered.json')).statuses;
    expect(s).toMatchObject({
      statusId: 'wamid.xyzxyz',
      status: 'delivered',
      dedupeKey: 'wamid.xyzxyz:delivered',
    });
    expect(s?.errors).toBeUndefined();
  });

  it('status_failed.json: a failed status with its error code, title, message and details', () => {
    const [s] = parseWebhook(fixture('status_failed.json')).statuses;
    expect(s).toMatchObject({ status: 'failed', timestamp: at(1689380458), recipientId: '972987654321' });
    expect(s?.errors).toEqual([
      {
        code: 130472,
        title: "User's number is part of an experiment",
        message: "User's number is part of an experiment",
        details: "Failed to send message because this user's phone number is part of an experiment",
        href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
      },
    ]);
  });

  it('every webhook fixture passes the envelope schema and yields events with nothing ignored', () => {
    const names = readdirSync(FIXTURES).filter((n) => n.endsWith('.json'));
    const webhooks = names.filter(
      (n) => (fixture(n) as { object?: string }).object === 'whatsapp_business_account',
    );
    // send_response.json and graph_error_response.json are API answers, not webhooks.
    expect(names.length - webhooks.length).toBe(2);
    // Each of them has its own test above: a new fixture must get one too.
    expect(webhooks.sort()).toEqual([
      'audio.json',
      'button_template_quick_reply.json',
      'contacts.json',
      'document.json',
      'image.json',
      'interactive_button_reply.json',
      'interactive_list_reply.json',
      'location.json',
      'reaction.json',
      'status_delivered.json',
      'status_failed.json',
      'status_sent.json',
      'sticker.json',
      'text.json',
      'text_meta_docs.json',
      'video.json',
    ]);
    for (const name of webhooks) {
      expect(webhookEnvelopeSchema.safeParse(fixture(name)).success, name).toBe(true);
      const parsed = parseWebhook(fixture(name));
      expect(parsed.ignored, name).toBe(0);
      expect(parsed.inbound.length + parsed.statuses.length, name).toBe(1);
      for (const m of parsed.inbound) expect(m.content.length, name).toBeGreaterThan(0);
    }
  });

  it('the API answers are not webhooks: ignored, not thrown', () => {
    expect(parseWebhook(fixture('send_response.json'))).toEqual({
      inbound: [],
      statuses: [],
      errors: [],
      ignored: 1,
    });
    expect(parseWebhook(fixture('graph_error_response.json')).ignored).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-made payloads

const metadata = (phoneNumberId: string) => ({
  display_phone_number: '15550001111',
  phone_number_id: phoneNumberId,
});
const envelope = (...entry: unknown[]) => ({ object: 'whatsapp_business_account', entry });
const change = (value: Record<string, unknown>, field = 'messages') => ({
  field,
  value: { messaging_product: 'whatsapp', ...value },
});
const text = (id: string, from: string, body: string, timestamp = '1700000000') => ({
  id,
  from,
  timestamp,
  type: 'text',
  text: { body },
});

describe('parseWebhook on hand-made payloads', () => {
  it('flattens every entry × change × message and status, keeping each one’s business number and account', () => {
    const parsed = parseWebhook(
      envelope(
        {
          id: 'WABA-1',
          changes: [
            change({
              metadata: metadata('PN-1'),
              contacts: [
                { wa_id: '111', profile: { name: 'Ann' } },
                { wa_id: '222', profile: { name: 'Bob' } },
              ],
              messages: [text('wamid.A1', '111', 'hi from Ann'), text('wamid.A2', '222', 'hi from Bob')],
            }),
            change({
              metadata: metadata('PN-2'),
              statuses: [{ id: 'wamid.OUT1', status: 'read', timestamp: '1700000100', recipient_id: '333' }],
            }),
          ],
        },
        {
          id: 'WABA-2',
          changes: [
            change({
              metadata: metadata('PN-3'),
              contacts: [{ wa_id: '444', profile: { name: 'Cy' } }],
              messages: [text('wamid.B1', '444', 'hello')],
              statuses: [
                { id: 'wamid.OUT2', status: 'delivered', timestamp: '1700000200', recipient_id: '555' },
              ],
            }),
          ],
        },
      ),
    );
    expect(parsed.ignored).toBe(0);
    expect(
      parsed.inbound.map((m) => [
        m.whatsappMessageId,
        m.from,
        m.profileName,
        m.phoneNumberId,
        m.businessAccountId,
        m.content,
      ]),
    ).toEqual([
      ['wamid.A1', '111', 'Ann', 'PN-1', 'WABA-1', 'hi from Ann'],
      ['wamid.A2', '222', 'Bob', 'PN-1', 'WABA-1', 'hi from Bob'],
      ['wamid.B1', '444', 'Cy', 'PN-3', 'WABA-2', 'hello'],
    ]);
    expect(
      parsed.statuses.map((s) => [s.dedupeKey, s.phoneNumberId, s.businessAccountId, s.recipientId]),
    ).toEqual([
      ['wamid.OUT1:read', 'PN-2', 'WABA-1', '333'],
      ['wamid.OUT2:delivered', 'PN-3', 'WABA-2', '555'],
    ]);
  });

  it('takes the profile name from the contact with the same wa_id only', () => {
    const parsed = parseWebhook(
      envelope({
        id: 'W',
        changes: [
          change({
            metadata: metadata('PN'),
            contacts: [{ wa_id: '999', profile: { name: 'Someone else' } }, { wa_id: '111' }],
            messages: [text('wamid.1', '111', 'x')],
          }),
        ],
      }),
    );
    expect(parsed.inbound[0]?.profileName).toBeUndefined();
  });

  it('a reaction with an empty emoji means the reaction was removed', () => {
    const parsed = parseWebhook(
      envelope({
        id: 'W',
        changes: [
          change({
            metadata: metadata('PN'),
            messages: [
              {
                id: 'wamid.R1',
                from: '111',
                timestamp: '1700000000',
                type: 'reaction',
                reaction: { message_id: 'wamid.OUT', emoji: '' },
              },
              {
                id: 'wamid.R2',
                from: '111',
                timestamp: '1700000001',
                type: 'reaction',
                reaction: { message_id: 'wamid.OUT' },
              },
            ],
          }),
        ],
      }),
    );
    for (const m of parsed.inbound) {
      expect(m.type).toBe('reaction');
      expect(m.reaction).toEqual({ emoji: '', whatsappMessageId: 'wamid.OUT', removed: true });
      expect(m.content).toBe('[reaction removed]');
    }
  });

  it("maps unsupported, order, system, unknown and flow replies to 'unsupported', keeping the raw type and errors", () => {
    const parsed = parseWebhook(
      envelope({
        id: 'W',
        changes: [
          change({
            metadata: metadata('PN'),
            messages: [
              {
                id: 'wamid.U1',
                from: '111',
                timestamp: '1739321024',
                type: 'unsupported',
                unsupported: { type: 'poll_update' },
                errors: [
                  {
                    code: 131051,
                    title: 'Message type unknown',
                    message: 'Message type unknown',
                    error_data: { details: 'Message type is currently not supported.' },
                  },
                ],
              },
              {
                id: 'wamid.U2',
                from: '111',
                timestamp: '1739321025',
                type: 'order',
                order: {
                  catalog_id: 'C',
                  text: 'for tomorrow',
                  product_items: [
                    { product_retailer_id: 'p1', quantity: 2 },
                    { product_retailer_id: 'p2', quantity: 1 },
                  ],
                },
              },
              {
                id: 'wamid.U3',
                from: '111',
                timestamp: '1739321026',
                type: 'system',
                system: {
                  body: 'NAME changed from 111 to 222',
                  wa_id: '111',
                  new_wa_id: '222',
                  type: 'user_changed_number',
                },
              },
              { id: 'wamid.U4', from: '111', timestamp: '1739321027', type: 'hologram', hologram: {} },
              {
                id: 'wamid.U5',
                from: '111',
                timestamp: '1739321028',
                type: 'interactive',
                interactive: {
                  type: 'nfm_reply',
                  nfm_reply: { response_json: '{}', body: 'Sent', name: 'flow' },
                },
              },
            ],
          }),
        ],
      }),
    );
    expect(parsed.ignored).toBe(0);
    const [u1, u2, u3, u4, u5] = parsed.inbound;
    expect(u1).toMatchObject({
      type: 'unsupported',
      rawType: 'unsupported',
      content: '[unsupported message: poll_update]',
    });
    expect(u1?.errors).toEqual([
      {
        code: 131051,
        title: 'Message type unknown',
        message: 'Message type unknown',
        details: 'Message type is currently not supported.',
      },
    ]);
    expect(u2).toMatchObject({
      type: 'unsupported',
      rawType: 'order',
      content: '🛒 order: 2 items — for tomorrow',
    });
    expect(u3).toMatchObject({
      type: 'unsupported',
      rawType: 'system',
      content: 'NAME changed from 111 to 222',
    });
    expect(u3?.system).toEqual({
      type: 'user_changed_number',
      body: 'NAME changed from 111 to 222',
      waId: '111',
      newWaId: '222',
    });
    expect(u4).toMatchObject({
      type: 'unsupported',
      rawType: 'hologram',
      content: '[unsupported message: hologram]',
    });
    expect(u5).toMatchObject({ type: 'unsupported', rawType: 'interactive.nfm_reply' });
    expect(u5?.interactive).toBeUndefined();
  });

  it('a message whose type object is missing is kept as unsupported, never dropped', () => {
    const parsed = parseWebhook(
      envelope({
        id: 'W',
        changes: [
          change({
            metadata: metadata('PN'),
            messages: [{ id: 'wamid.X', from: '111', timestamp: '1700000000', type: 'image' }],
          }),
        ],
      }),
    );
    expect(parsed.inbound[0]).toMatchObject({
      type: 'unsupported',
      rawType: 'image',
      content: '[unsupported message: image]',
    });
    expect(parsed.inbound[0]?.media).toBeUndefined();
  });

  it('summaries: voice notes, documents without caption, locations without a name, empty text', () => {
    const parsed = parseWebhook(
      envelope({
        id: 'W',
        changes: [
          change({
            metadata: metadata('PN'),
            messages: [
              {
                id: 'm1',
                from: '1',
                timestamp: '1',
                type: 'audio',
                audio: { id: 'A', mime_type: 'audio/ogg', voice: true },
              },
              {
                id: 'm2',
                from: '1',
                timestamp: '1',
                type: 'document',
                document: { id: 'D', mime_type: 'application/pdf', filename: 'bill.pdf' },
              },
              {
                id: 'm3',
                from: '1',
                timestamp: '1',
                type: 'location',
                location: { latitude: 1.5, longitude: -2.25 },
              },
              { id: 'm4', from: '1', timestamp: '1', type: 'text', text: { body: '' } },
              {
                id: 'm5',
                from: '1',
                timestamp: '1',
                type: 'image',
                image: { id: 'I', mime_type: 'image/png', caption: '  ' },
              },
            ],
          }),
        ],
      }),
    );
    expect(parsed.inbound.map((m) => m.content)).toEqual([
      '[voice message]',
      '[document: bill.pdf]',
      '📍 1.5, -2.25',
      '[text]',
      '[image]',
    ]);
    expect(parsed.inbound[2]?.location).toEqual({ latitude: 1.5, longitude: -2.25 });
  });

  it('frequently forwarded messages are forwarded; context.id is the reply target', () => {
    const parsed = parseWebhook(
      envelope({
        id: 'W',
        changes: [
          change({
            metadata: metadata('PN'),
            messages: [
              { ...text('m1', '1', 'fwd'), context: { frequently_forwarded: true } },
              { ...text('m2', '1', 'reply'), context: { from: '15550001111', id: 'wamid.ORIGINAL' } },
            ],
          }),
        ],
      }),
    );
    expect(parsed.inbound[0]).toMatchObject({ isForwarded: true, frequentlyForwarded: true });
    expect(parsed.inbound[0]?.replyToWhatsappId).toBeUndefined();
    expect(parsed.inbound[1]).toMatchObject({ isForwarded: false, replyToWhatsappId: 'wamid.ORIGINAL' });
  });

  it('statuses: failed with errors, unknown statuses and malformed ones ignored one by one', () => {
    const parsed = parseWebhook(
      envelope({
        id: 'W',
        changes: [
          change({
            metadata: metadata('PN'),
            statuses: [
              {
                id: 'wamid.O1',
                status: 'failed',
                timestamp: '1700000000',
                recipient_id: '111',
                errors: [
                  {
                    code: 131047,
                    title: 'Re-engagement message',
                    error_data: { details: 'more than 24 hours' },
                  },
                ],
              },
              { id: 'wamid.O2', status: 'warning', timestamp: '1700000000', recipient_id: '111' },
              { status: 'read', timestamp: '1700000000' },
              { id: 'wamid.O3', status: 'read', timestamp: 'yesterday' },
              { id: 'wamid.O4', status: 'read', timestamp: '1700000001' },
            ],
          }),
        ],
      }),
    );
    expect(parsed.ignored).toBe(3);
    expect(parsed.statuses.map((s) => s.dedupeKey)).toEqual(['wamid.O1:failed', 'wamid.O4:read']);
    expect(parsed.statuses[0]?.errors).toEqual([
      { code: 131047, title: 'Re-engagement message', details: 'more than 24 hours' },
    ]);
    expect(parsed.statuses[1]?.recipientId).toBeUndefined();
  });

  it('change-level errors are reported with their business number', () => {
    const parsed = parseWebhook(
      envelope({
        id: 'W',
        changes: [
          change({
            metadata: metadata('PN'),
            errors: [{ code: 131000, title: 'Something went wrong', message: 'oops' }],
          }),
        ],
      }),
    );
    expect(parsed.errors).toEqual([
      {
        phoneNumberId: 'PN',
        businessAccountId: 'W',
        errors: [{ code: 131000, title: 'Something went wrong', message: 'oops' }],
      },
    ]);
    expect(parsed.ignored).toBe(0);
  });

  it('a malformed message is ignored while its neighbours are kept', () => {
    const parsed = parseWebhook(
      envelope({
        id: 'W',
        changes: [
          change({
            metadata: metadata('PN'),
            messages: [
              text('ok1', '1', 'a'),
              { id: 'no-sender', timestamp: '1', type: 'text', text: { body: 'b' } },
              42,
              text('ok2', '1', 'c'),
            ],
          }),
        ],
      }),
    );
    expect(parsed.inbound.map((m) => m.whatsappMessageId)).toEqual(['ok1', 'ok2']);
    expect(parsed.ignored).toBe(2);
  });

  it('envelopes with nothing usable are counted as ignored, never thrown', () => {
    expect(parseWebhook({})).toEqual({ inbound: [], statuses: [], errors: [], ignored: 1 });
    expect(parseWebhook({ object: 'page', entry: [] }).ignored).toBe(1);
    expect(parseWebhook({ object: 'whatsapp_business_account' }).ignored).toBe(1);
    expect(parseWebhook(envelope()).ignored).toBe(1);
    expect(parseWebhook(envelope({ id: 'W', changes: [] })).ignored).toBe(1);
    expect(parseWebhook(envelope('not an entry', { id: 'W' }, { id: 'W', changes: 'x' })).ignored).toBe(3);
    const parsed = parseWebhook(
      envelope({
        id: 'W',
        changes: [
          change({ metadata: metadata('PN') }), // nothing in it
          change({ messages: [text('m', '1', 'x')] }), // no metadata: cannot tell which number
          change({ metadata: metadata('PN'), messages: [] }, 'messages'),
          { field: 'message_template_status_update', value: { event: 'APPROVED' } },
          null,
        ],
      }),
    );
    expect(parsed).toEqual({ inbound: [], statuses: [], errors: [], ignored: 5 });
  });

  it('throws WebhookPayloadError for a body that is not a JSON object', () => {
    for (const bad of [null, undefined, 'text', 42, true, [], [{ object: 'whatsapp_business_account' }]]) {
      expect(() => parseWebhook(bad)).toThrow(WebhookPayloadError);
    }
    try {
      parseWebhook([]);
    } catch (err) {
      expect(err).toMatchObject({ name: 'WebhookPayloadError', code: 'WHATSAPP.WEBHOOK_PAYLOAD' });
    }
  });

  it('keeps unknown fields out of the events but does not choke on them', () => {
    const parsed = parseWebhook(
      envelope({
        id: 'W',
        future_field: true,
        changes: [
          change({
            metadata: { ...metadata('PN'), new_thing: 1 },
            contacts: [{ wa_id: '1', profile: { name: 'N', username: 'nn' }, user_id: 'US.1' }],
            messages: [{ ...text('m', '1', 'x'), from_user_id: 'US.1', brand_new: { a: 1 } }],
          }),
        ],
      }),
    );
    expect(parsed.inbound[0]).toMatchObject({ whatsappMessageId: 'm', profileName: 'N', content: 'x' });
    expect(parsed.inbound[0]).not.toHaveProperty('brand_new');
  });
});
