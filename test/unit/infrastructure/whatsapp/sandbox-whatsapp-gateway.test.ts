import { describe, expect, it } from 'vitest';
import { WhatsAppSendError } from '../../../../src/application/ports/gateways.js';
import { InvalidOutboundContentError } from '../../../../src/infrastructure/whatsapp/outbound-message.js';
import { SandboxWhatsAppGateway } from '../../../../src/infrastructure/whatsapp/sandbox-whatsapp-gateway.js';

describe('SandboxWhatsAppGateway', () => {
  it('records what would be sent, with the Cloud API body, and returns distinct wamid.SANDBOX ids', async () => {
    const now = new Date('2026-03-01T10:00:00Z');
    const sandbox = new SandboxWhatsAppGateway({ now: () => now });
    const a = await sandbox.send({
      to: '+15551234567',
      content: { type: 'text', body: 'Hello' },
      replyTo: 'wamid.IN',
    });
    const b = await sandbox.send({
      phoneNumberId: 'PN-2',
      to: '15557654321',
      content: { type: 'text', body: 'Bye' },
    });
    expect(a.whatsappMessageId).toMatch(/^wamid\.SANDBOX[0-9A-F]{24}$/);
    expect(b.whatsappMessageId).not.toBe(a.whatsappMessageId);
    expect(sandbox.sent).toHaveLength(2);
    expect(sandbox.sent[0]).toEqual({
      whatsappMessageId: a.whatsappMessageId,
      to: '+15551234567',
      content: { type: 'text', body: 'Hello' },
      replyTo: 'wamid.IN',
      body: {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '15551234567',
        type: 'text',
        text: { preview_url: false, body: 'Hello' },
        context: { message_id: 'wamid.IN' },
      },
      at: now,
    });
    expect(sandbox.lastSent()?.phoneNumberId).toBe('PN-2');
  });

  it('refuses content the real API would refuse, and records nothing', async () => {
    const sandbox = new SandboxWhatsAppGateway();
    await expect(
      sandbox.send({ to: '15551234567', content: { type: 'text', body: '' } }),
    ).rejects.toBeInstanceOf(InvalidOutboundContentError);
    expect(sandbox.sent).toEqual([]);
  });

  it('records read receipts', async () => {
    const sandbox = new SandboxWhatsAppGateway();
    await sandbox.markRead({ whatsappMessageId: 'wamid.IN', phoneNumberId: 'PN' });
    expect(sandbox.reads).toMatchObject([{ whatsappMessageId: 'wamid.IN', phoneNumberId: 'PN' }]);
  });

  it('downloadMedia throws a clear, final error unless the media was put there', async () => {
    const sandbox = new SandboxWhatsAppGateway();
    const error = await sandbox.downloadMedia({ mediaId: '123' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WhatsAppSendError);
    expect(error).toMatchObject({ retryable: false, title: 'SANDBOX_NO_MEDIA' });
    expect((error as Error).message).toMatch(/sandbox.*WHATSAPP_ACCESS_TOKEN/i);

    sandbox.putMedia('123', { data: Buffer.from('png!'), mimeType: 'image/png', filename: 'a.png' });
    const file = await sandbox.downloadMedia({ mediaId: '123' });
    expect(file).toEqual({ data: Buffer.from('png!'), mimeType: 'image/png', filename: 'a.png' });
  });

  it('failNextSends makes the next sends fail in order (for retry tests)', async () => {
    const sandbox = new SandboxWhatsAppGateway();
    const busy = new WhatsAppSendError('busy', true, 130429);
    sandbox.failNextSends(busy);
    await expect(sandbox.send({ to: '15551234567', content: { type: 'text', body: 'x' } })).rejects.toBe(
      busy,
    );
    await expect(
      sandbox.send({ to: '15551234567', content: { type: 'text', body: 'x' } }),
    ).resolves.toBeDefined();
    expect(sandbox.sent).toHaveLength(1);
  });

  it('keeps only the last `capacity` records', async () => {
    let n = 0;
    const sandbox = new SandboxWhatsAppGateway({ capacity: 2, newMessageId: () => `wamid.SANDBOX${++n}` });
    for (let i = 0; i < 3; i++)
      await sandbox.send({ to: '15551234567', content: { type: 'text', body: `m${i}` } });
    expect(sandbox.sent.map((s) => s.whatsappMessageId)).toEqual(['wamid.SANDBOX2', 'wamid.SANDBOX3']);
    sandbox.clear();
    expect(sandbox.sent).toEqual([]);
  });
});
