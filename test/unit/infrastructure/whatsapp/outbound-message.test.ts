import { describe, expect, it } from 'vitest';
import { type OutboundContent, WhatsAppSendError } from '../../../../src/application/ports/gateways.js';
import {
  buildMessageBody,
  buildReadReceiptBody,
  InvalidOutboundContentError,
  normalizeRecipient,
} from '../../../../src/infrastructure/whatsapp/outbound-message.js';

const head = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '15551234567' };
const build = (content: OutboundContent, replyTo?: string) =>
  buildMessageBody(
    replyTo === undefined ? { to: '+1 555 123-4567', content } : { to: '+15551234567', content, replyTo },
  );
const invalid = (content: OutboundContent, field: string) => {
  try {
    build(content);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidOutboundContentError);
    expect(err).toBeInstanceOf(WhatsAppSendError);
    expect(err).toMatchObject({ retryable: false, title: 'INVALID_CONTENT', field });
    return;
  }
  expect.fail(`expected ${field} to be refused`);
};

describe('buildMessageBody: exact Cloud API JSON', () => {
  it('text, with preview_url defaulting to false', () => {
    expect(build({ type: 'text', body: 'Hello https://x.example' })).toEqual({
      ...head,
      type: 'text',
      text: { preview_url: false, body: 'Hello https://x.example' },
    });
    expect(build({ type: 'text', body: 'x', previewUrl: true })).toMatchObject({
      text: { preview_url: true, body: 'x' },
    });
  });

  it('template with body parameters; no components when there are none', () => {
    expect(
      build({ type: 'template', name: 'order_update', language: 'en_US', parameters: ['Ann', '#42'] }),
    ).toEqual({
      ...head,
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ann' },
              { type: 'text', text: '#42' },
            ],
          },
        ],
      },
    });
    expect(build({ type: 'template', name: 'hello_world', language: 'en', parameters: [] })).toEqual({
      ...head,
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en' } },
    });
  });

  it('media by link: caption for image/video/document, filename for documents only', () => {
    expect(build({ type: 'image', link: 'https://cdn.example/a.jpg', caption: 'A cat' })).toEqual({
      ...head,
      type: 'image',
      image: { link: 'https://cdn.example/a.jpg', caption: 'A cat' },
    });
    expect(
      build({ type: 'document', link: 'https://cdn.example/b.pdf', caption: 'Bill', filename: 'bill.pdf' }),
    ).toEqual({
      ...head,
      type: 'document',
      document: { link: 'https://cdn.example/b.pdf', caption: 'Bill', filename: 'bill.pdf' },
    });
    expect(build({ type: 'video', link: 'https://cdn.example/c.mp4', filename: 'c.mp4' })).toEqual({
      ...head,
      type: 'video',
      video: { link: 'https://cdn.example/c.mp4' },
    });
    expect(build({ type: 'audio', link: 'https://cdn.example/d.ogg' })).toEqual({
      ...head,
      type: 'audio',
      audio: { link: 'https://cdn.example/d.ogg' },
    });
  });

  it('location', () => {
    expect(
      build({ type: 'location', latitude: 37.46, longitude: -122.21, name: 'HQ', address: '1 Hacker Way' }),
    ).toEqual({
      ...head,
      type: 'location',
      location: { latitude: 37.46, longitude: -122.21, name: 'HQ', address: '1 Hacker Way' },
    });
  });

  it('interactive reply buttons', () => {
    const content: OutboundContent = {
      type: 'interactive',
      kind: 'button',
      body: 'Was this helpful?',
      buttons: [
        { id: 'yes', title: 'Yes' },
        { id: 'no', title: 'No' },
      ],
    };
    expect(build(content)).toEqual({
      ...head,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Was this helpful?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'yes', title: 'Yes' } },
            { type: 'reply', reply: { id: 'no', title: 'No' } },
          ],
        },
      },
    });
  });

  it('interactive list', () => {
    const content: OutboundContent = {
      type: 'interactive',
      kind: 'list',
      body: 'Pick a slot',
      buttonText: 'Slots',
      sections: [
        { title: 'Morning', rows: [{ id: 'm9', title: '9:00', description: 'Early bird' }] },
        { title: 'Afternoon', rows: [{ id: 'a2', title: '14:00' }] },
      ],
    };
    expect(build(content)).toEqual({
      ...head,
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Pick a slot' },
        action: {
          button: 'Slots',
          sections: [
            { title: 'Morning', rows: [{ id: 'm9', title: '9:00', description: 'Early bird' }] },
            { title: 'Afternoon', rows: [{ id: 'a2', title: '14:00' }] },
          ],
        },
      },
    });
  });

  it('a reply carries context.message_id', () => {
    expect(build({ type: 'text', body: 'yes' }, 'wamid.ABC')).toEqual({
      ...head,
      type: 'text',
      text: { preview_url: false, body: 'yes' },
      context: { message_id: 'wamid.ABC' },
    });
  });

  it('read receipt, optionally with the typing indicator', () => {
    expect(buildReadReceiptBody('wamid.IN')).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.IN',
    });
    expect(buildReadReceiptBody('wamid.IN', { typing: true })).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.IN',
      typing_indicator: { type: 'text' },
    });
  });
});

describe('buildMessageBody: refuses what WhatsApp would refuse (final errors)', () => {
  it('recipients that are not phone numbers', () => {
    expect(normalizeRecipient('+44 (20) 7946-0958')).toBe('442079460958');
    expect(() => normalizeRecipient('alice')).toThrow(InvalidOutboundContentError);
    expect(() => normalizeRecipient('+1234')).toThrow(InvalidOutboundContentError);
    expect(() => normalizeRecipient('1234567890123456')).toThrow(InvalidOutboundContentError);
  });

  it('empty or too long text (counted in characters, not UTF-16 units)', () => {
    invalid({ type: 'text', body: '   ' }, 'text.body');
    invalid({ type: 'text', body: 'x'.repeat(4097) }, 'text.body');
    expect(() => build({ type: 'text', body: '😀'.repeat(4096) })).not.toThrow();
  });

  it('bad template names, languages and parameters', () => {
    invalid({ type: 'template', name: 'Order Update', language: 'en', parameters: [] }, 'template.name');
    invalid({ type: 'template', name: 'x', language: 'english', parameters: [] }, 'template.language');
    invalid({ type: 'template', name: 'x', language: 'en', parameters: [''] }, 'template.parameters[0]');
    invalid(
      { type: 'template', name: 'x', language: 'en', parameters: ['ok', 'two\nlines'] },
      'template.parameters[1]',
    );
    invalid(
      { type: 'template', name: 'x', language: 'en', parameters: ['a     b'] },
      'template.parameters[0]',
    );
  });

  it('media: non-http links, audio captions, long captions', () => {
    invalid({ type: 'image', link: 'file:///etc/passwd' }, 'image.link');
    invalid({ type: 'document', link: 'not a url' }, 'document.link');
    invalid({ type: 'audio', link: 'https://x.example/a.ogg', caption: 'hi' }, 'audio.caption');
    invalid({ type: 'image', link: 'https://x.example/a.png', caption: 'c'.repeat(1025) }, 'image.caption');
  });

  it('locations out of range', () => {
    invalid({ type: 'location', latitude: 91, longitude: 0 }, 'location.latitude');
    invalid({ type: 'location', latitude: 0, longitude: Number.NaN }, 'location.longitude');
  });

  it('buttons: none, more than 3, long titles, duplicates', () => {
    const b = (n: number, title = (i: number) => `B${i}`) =>
      Array.from({ length: n }, (_, i) => ({ id: `id${i}`, title: title(i) }));
    invalid({ type: 'interactive', kind: 'button', body: 'x', buttons: [] }, 'interactive.buttons');
    invalid({ type: 'interactive', kind: 'button', body: 'x', buttons: b(4) }, 'interactive.buttons');
    invalid(
      { type: 'interactive', kind: 'button', body: 'x', buttons: b(1, () => 't'.repeat(21)) },
      'interactive.buttons[0].title',
    );
    invalid(
      { type: 'interactive', kind: 'button', body: 'x', buttons: b(2, () => 'same') },
      'interactive.buttons',
    );
    invalid({ type: 'interactive', kind: 'button', body: '', buttons: b(1) }, 'interactive.body');
  });

  it('lists: button text required, at most 10 rows, titles for several sections, row limits', () => {
    const rows = (n: number, prefix = 'r') =>
      Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, title: `Row ${i}` }));
    invalid(
      { type: 'interactive', kind: 'list', body: 'x', sections: [{ rows: rows(1) }] },
      'interactive.buttonText',
    );
    invalid(
      {
        type: 'interactive',
        kind: 'list',
        body: 'x',
        buttonText: 'Go',
        sections: [
          { title: 'A', rows: rows(6, 'a') },
          { title: 'B', rows: rows(5, 'b') },
        ],
      },
      'interactive.sections',
    );
    invalid(
      {
        type: 'interactive',
        kind: 'list',
        body: 'x',
        buttonText: 'Go',
        sections: [{ rows: rows(1, 'a') }, { title: 'B', rows: rows(1, 'b') }],
      },
      'interactive.sections[0].title',
    );
    invalid(
      {
        type: 'interactive',
        kind: 'list',
        body: 'x',
        buttonText: 'Go',
        sections: [{ rows: [{ id: 'a', title: 't'.repeat(25) }] }],
      },
      'interactive.sections[0].rows[0].title',
    );
    invalid(
      {
        type: 'interactive',
        kind: 'list',
        body: 'x',
        buttonText: 'Go',
        sections: [{ rows: [{ id: 'a', title: 't', description: 'd'.repeat(73) }] }],
      },
      'interactive.sections[0].rows[0].description',
    );
    invalid(
      {
        type: 'interactive',
        kind: 'list',
        body: 'x',
        buttonText: 'Go',
        sections: [{ rows: [...rows(1), ...rows(1)] }],
      },
      'interactive.sections.rows',
    );
    invalid(
      { type: 'interactive', kind: 'list', body: 'x', buttonText: 'Go', sections: [] },
      'interactive.sections',
    );
  });

  it('an unknown content type and an empty replyTo', () => {
    invalid({ type: 'sticker', link: 'x' } as unknown as OutboundContent, 'type');
    expect(() =>
      buildMessageBody({ to: '15551234567', content: { type: 'text', body: 'x' }, replyTo: ' ' }),
    ).toThrow(InvalidOutboundContentError);
  });
});
