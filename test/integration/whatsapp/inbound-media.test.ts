/**
 * Inbound media end to end: a media webhook → the message stored with a pending attachment → the
 * media worker downloads the file from the (stand-in) Graph API and uploads it through the real
 * `cloudinary` SDK to a stand-in Cloudinary upload endpoint → the attachment filled in.
 *
 * The SDK chooses http/https when first loaded, from CLOUDINARY_URL's `upload_prefix`: the stand-in
 * starts first and sets the variable, and the app (which imports the Cloudinary adapter lazily) is
 * built after that.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MEDIA_ATTEMPTS } from '../../../src/application/messages/store-inbound-media.js';
import { CloudinaryStandIn } from '../../support/cloudinary-stand-in.js';
import {
  firstValue,
  messageFixture,
  type RunningCrm,
  startCrm,
  uniqueSuffix,
} from '../../support/crm-app.js';
import { GraphApiStandIn, graphError } from '../../support/graph-api-stand-in.js';
import { TestClock } from '../../support/test-ports.js';

const NUMBER = { phoneNumberId: '1122334455667', accessToken: 'token-media-number' };
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 7)]);
const OGG = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(1024, 3)]);
const PDF = Buffer.from('%PDF-1.4 a small test document');

let cloudinary: CloudinaryStandIn;
let graph: GraphApiStandIn;
let n = 0;
const newCustomer = () => `52155${String(30_000_000 + n++ * 7919).slice(-8)}`;

/** A media fixture from a new customer, with its own message id and media id (served by the Graph stand-in). */
function mediaWebhook(
  name: 'image' | 'audio' | 'document' | 'video' | 'sticker',
  data: Buffer,
  mimeType: string,
) {
  const wamid = `wamid.media.${name}.${uniqueSuffix()}`;
  const mediaId = `${Date.now()}${n}${Math.floor(Math.random() * 1000)}`;
  const payload = messageFixture(name, { wamid, from: newCustomer(), phoneNumberId: NUMBER.phoneNumberId });
  const message = (firstValue(payload).messages as Record<string, Record<string, unknown>>[])[0]!;
  message[name]!.id = mediaId;
  graph.addMedia({ id: mediaId, data, mimeType, phoneNumberId: NUMBER.phoneNumberId });
  return { wamid, mediaId, payload };
}

beforeAll(async () => {
  cloudinary = await CloudinaryStandIn.start();
  process.env.CLOUDINARY_URL = cloudinary.cloudinaryUrl;
  graph = await GraphApiStandIn.start({ accounts: [NUMBER] });
});
afterAll(async () => {
  await graph?.close();
  await cloudinary?.close();
});

const env = () => ({
  CLOUDINARY_URL: cloudinary.cloudinaryUrl,
  WHATSAPP_GRAPH_URL: graph.url,
  WHATSAPP_ACCESS_TOKEN: NUMBER.accessToken,
  WHATSAPP_PHONE_NUMBER_ID: NUMBER.phoneNumberId,
});

describe('inbound media with the media worker (Cloudinary configured)', () => {
  let crm: RunningCrm;
  beforeAll(async () => {
    crm = await startCrm({ env: env(), workers: { inboxIntervalMs: 50, mediaIntervalMs: 100 } });
  });
  afterAll(async () => {
    await crm?.stop();
  });

  const storedAttachment = async (wamid: string) => {
    for (let i = 0; i < 250; i++) {
      const m = await crm.stored(wamid);
      if (m.attachments[0]?.storage !== 'pending') return m;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`attachment of ${wamid} never stored`);
  };

  it('an image: fetched from WhatsApp, stored in the conversation’s folder, with its thumbnail', async () => {
    const { wamid, mediaId, payload } = mediaWebhook('image', JPEG, 'image/jpeg');

    expect((await crm.post(payload)).status).toBe(200);
    const message = await storedAttachment(wamid);

    const attachment = message.attachments[0]!;
    expect(attachment).toMatchObject({
      type: 'image',
      storage: 'stored',
      whatsappMediaId: mediaId,
      mimeType: 'image/jpeg',
      size: JPEG.length,
      publicId: expect.stringMatching(new RegExp(`^whatsapp-crm/conversations/${message.conversationId}/`)),
      url: expect.stringMatching(/^https:\/\/res\.cloudinary\.com\/standin-cloud\/image\/upload\//),
      thumbnailUrl: expect.stringContaining('c_limit,h_320,w_320'),
    });
    expect(attachment).not.toHaveProperty('duration');
    const upload = cloudinary.uploads.get(attachment.publicId!);
    expect(upload?.data.equals(JPEG)).toBe(true);
    expect(upload?.folder).toBe(`whatsapp-crm/conversations/${message.conversationId}`);
    // The download used the receiving number's token.
    const download = graph.requests.find((r) => r.path === `/media-files/${mediaId}`);
    expect(download?.headers.authorization).toBe(`Bearer ${NUMBER.accessToken}`);
  });

  it('a voice note: stored with its duration and no thumbnail; a document keeps its file name', async () => {
    const audio = mediaWebhook('audio', OGG, 'audio/ogg');
    const doc = mediaWebhook('document', PDF, 'application/pdf');
    await crm.post(audio.payload);
    await crm.post(doc.payload);

    const a = (await storedAttachment(audio.wamid)).attachments[0]!;
    const d = (await storedAttachment(doc.wamid)).attachments[0]!;

    expect(a).toMatchObject({ type: 'audio', storage: 'stored', duration: 12.5, size: OGG.length });
    expect(a).not.toHaveProperty('thumbnailUrl');
    expect(d).toMatchObject({
      type: 'document',
      storage: 'stored',
      filename: 'filename.pdf',
      mimeType: 'application/pdf',
    });
    expect(d).not.toHaveProperty('thumbnailUrl');
    expect(cloudinary.uploads.get(d.publicId!)?.filename).toBe('filename.pdf');
  });
});

describe('inbound media failures (StoreInboundMedia driven by hand, on a test clock)', () => {
  let crm: RunningCrm;
  const clock = new TestClock(new Date());
  beforeAll(async () => {
    crm = await startCrm({ env: env(), workers: false, overrides: { Clock: clock } });
  });
  afterAll(async () => {
    await crm?.stop();
  });

  /** Stores the media message through the inbox, without any worker. */
  async function receive(name: 'image' | 'video', data: Buffer, mimeType: string) {
    const hook = mediaWebhook(name, data, mimeType);
    expect((await crm.post(hook.payload)).status).toBe(200);
    await crm.useCases.webhookInbox.process.execute({ worker: 'test' });
    return { ...hook, message: await crm.stored(hook.wamid) };
  }
  const storeMedia = () => crm.useCases.messages.storeMedia!.execute({ limit: 10 });

  it('a failed download keeps the message, counts the attempt and retries later with a new download', async () => {
    const { message, mediaId } = await receive('image', JPEG, 'image/jpeg');
    graph.failNext({ kind: 'http', status: 500, body: 'oops' }, { path: new RegExp(`/${mediaId}$`) });

    const first = await storeMedia();

    expect(first).toMatchObject({ claimed: 1, stored: 0, retried: 1, failed: 0 });
    const after = await crm.ports.messages.findById(message.id);
    expect(after?.attachments[0]).toMatchObject({
      storage: 'pending',
      attempts: 1,
      whatsappMediaId: mediaId,
    });
    expect(after?.content).toBe(message.content);
    expect(after?.nextAttemptAt?.getTime()).toBeGreaterThan(clock.now().getTime());
    expect((await storeMedia()).claimed).toBe(0); // not before its back-off

    const published: { type: string; payload: Record<string, unknown> }[] = [];
    const unsubscribe = crm.ports.events.subscribe((event) => {
      if (event.type === 'message.media_updated') published.push(event);
    });
    clock.advanceMinutes(2);
    expect(await storeMedia()).toMatchObject({ claimed: 1, stored: 1 });
    unsubscribe();
    // The inbox hears of it (the picture appears without a reload); the failed attempt published nothing.
    expect(published).toEqual([
      expect.objectContaining({
        type: 'message.media_updated',
        payload: expect.objectContaining({
          messageId: message.id,
          conversationId: message.conversationId,
          stored: 1,
          failed: 0,
        }),
      }),
    ]);
    const stored = await crm.ports.messages.findById(message.id);
    expect(stored?.attachments[0]).toMatchObject({ storage: 'stored', size: JPEG.length });
    expect(stored?.attachments[0]).not.toHaveProperty('attempts');
    expect(stored?.attachments[0]).not.toHaveProperty('error');
    expect(stored).not.toHaveProperty('nextAttemptAt');
  });

  it('a Cloudinary error is retried; after MAX_MEDIA_ATTEMPTS the attachment is marked failed', async () => {
    const { message } = await receive(
      'video',
      Buffer.concat([Buffer.alloc(4), Buffer.from('ftypmp42'), Buffer.alloc(64)]),
      'video/mp4',
    );
    cloudinary.failNext({ kind: 'status', status: 502, body: 'bad gateway' }, MAX_MEDIA_ATTEMPTS);

    for (let attempt = 1; attempt <= MAX_MEDIA_ATTEMPTS; attempt++) {
      const report = await storeMedia();
      expect(report.claimed).toBe(1);
      clock.advanceMinutes(120);
    }

    const failed = await crm.ports.messages.findById(message.id);
    expect(failed?.attachments[0]).toMatchObject({ storage: 'failed', attempts: MAX_MEDIA_ATTEMPTS });
    expect(failed?.attachments[0]?.error).toMatch(/502/);
    expect((await storeMedia()).claimed).toBe(0);
  });

  it('an expired media id (a final Graph refusal) is marked failed at once', async () => {
    const { message, mediaId } = await receive('image', JPEG, 'image/jpeg');
    graph.failNext(graphError(100, { details: `Object with ID '${mediaId}' does not exist` }), {
      path: new RegExp(`/${mediaId}$`),
    });

    expect(await storeMedia()).toMatchObject({ claimed: 1, failed: 1 });
    expect((await crm.ports.messages.findById(message.id))?.attachments[0]).toMatchObject({
      storage: 'failed',
      attempts: 1,
    });
  });
});

describe('without CLOUDINARY_URL', () => {
  it('runs no media worker: the attachment keeps its WhatsApp media id, pending', async () => {
    const crm = await startCrm({
      env: {
        WHATSAPP_GRAPH_URL: graph.url,
        WHATSAPP_ACCESS_TOKEN: NUMBER.accessToken,
        WHATSAPP_PHONE_NUMBER_ID: NUMBER.phoneNumberId,
      },
      workers: { inboxIntervalMs: 50 },
    });
    try {
      expect(crm.app.adapters.media).toBe('links');
      expect(crm.useCases.messages.storeMedia).toBeUndefined();
      expect(crm.workers?.media).toBeUndefined();
      const { wamid, mediaId, payload } = mediaWebhook('image', JPEG, 'image/jpeg');
      await crm.post(payload);
      const message = await crm.stored(wamid);
      await new Promise((r) => setTimeout(r, 200));
      expect((await crm.ports.messages.findById(message.id))?.attachments).toEqual([
        { type: 'image', whatsappMediaId: mediaId, mimeType: 'image/jpeg', storage: 'pending' },
      ]);
    } finally {
      await crm.stop();
    }
  });
});
