/**
 * The WhatsApp Cloud API webhook: `GET /webhooks/whatsapp` (subscription handshake) and
 * `POST /webhooks/whatsapp` (events).
 *
 * POST, in this order:
 * 1. no WHATSAPP_APP_SECRET configured → 503 (and an error log line): never accept unsigned events;
 * 2. `X-Hub-Signature-256` checked on the RAW body bytes (constant time) → 401, nothing stored;
 * 3. not JSON, or JSON that is not an object → 400; a body over the limit → 413 (Fastify);
 * 4. parsed (every entry, change, message and status) into inbox events; none usable → 200 `ignored`;
 * 5. the events are stored in the webhook inbox (durable, de-duplicated by WhatsApp id) and only then
 *    answered 200; a storage failure is a 500, so WhatsApp delivers the webhook again.
 * The processing itself (customers, conversations, messages, statuses) happens afterwards, in the
 * webhook-inbox worker, which this route nudges.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { UseCases } from '../../application/use-cases.js';
import type { App } from '../../infrastructure/container.js';
import type { Metrics } from '../../infrastructure/metrics.js';
import { TOKENS } from '../../infrastructure/tokens.js';
import { toInboxEvents } from '../../infrastructure/whatsapp/inbox-events.js';
import { verifyHandshake, verifyWebhookSignature } from '../../infrastructure/whatsapp/signature.js';
import { parseWebhook, WebhookPayloadError } from '../../infrastructure/whatsapp/webhook-payload.js';
import type { BackgroundWorkers } from '../../infrastructure/workers/background-workers.js';

export const WEBHOOK_PATH = '/webhooks/whatsapp';

// Label sets built once, not on every webhook.
const ACCEPTED = { outcome: 'accepted' } as const;
const DUPLICATE = { outcome: 'duplicate' } as const;

export function whatsappWebhookRoutes(app: App): FastifyPluginAsync {
  const { config, container } = app;
  const useCases = container.resolve<UseCases>(TOKENS.UseCases);
  const metrics = container.resolve<Metrics>(TOKENS.Metrics);
  const workers = container.isRegistered(TOKENS.BackgroundWorkers)
    ? container.resolve<BackgroundWorkers>(TOKENS.BackgroundWorkers)
    : undefined;

  return async (fastify) => {
    // This plugin's own context: bodies arrive as raw bytes (the signature is over the exact bytes).
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    fastify.get(WEBHOOK_PATH, async (request, reply) => {
      const verifyToken = config.whatsapp.verifyToken ?? '';
      if (!verifyToken)
        request.log.error('WHATSAPP_VERIFY_TOKEN is not set: the webhook handshake is refused');
      const challenge = verifyHandshake(request.query as Record<string, unknown>, verifyToken);
      if (challenge === null) return reply.code(403).send({ error: 'Forbidden' });
      return reply.type('text/plain; charset=utf-8').send(challenge);
    });

    fastify.post(WEBHOOK_PATH, { bodyLimit: config.http.bodyLimit }, async (request, reply) => {
      const appSecret = config.whatsapp.appSecret;
      if (!appSecret) {
        request.log.error(
          'WHATSAPP_APP_SECRET is not set: webhook refused (503); set it to accept WhatsApp webhooks',
        );
        return reply.code(503).send({ error: 'Webhook not configured' });
      }
      const raw = rawBody(request);
      if (!verifyWebhookSignature(raw, header(request, 'x-hub-signature-256'), appSecret)) {
        request.log.warn('webhook refused: missing or wrong X-Hub-Signature-256');
        return reply.code(401).send({ error: 'Invalid signature' });
      }
      let webhook: ReturnType<typeof parseWebhook>;
      try {
        webhook = parseWebhook(JSON.parse(raw.toString('utf8')));
      } catch (error) {
        if (error instanceof SyntaxError || error instanceof WebhookPayloadError) {
          return reply.code(400).send({ error: 'Malformed webhook body' });
        }
        throw error;
      }
      for (const e of webhook.errors) {
        request.log.warn({ phoneNumberId: e.phoneNumberId, errors: e.errors }, 'WhatsApp reported errors');
      }
      const events = toInboxEvents(webhook);
      if (events.length === 0) return reply.send({ status: 'ignored', ignored: webhook.ignored });

      const { added, duplicates } = await useCases.webhookInbox.accept.execute(events);
      workers?.inbox.nudge();
      if (added > 0) metrics.webhookEvents.inc(ACCEPTED, added);
      if (duplicates > 0) metrics.webhookEvents.inc(DUPLICATE, duplicates);
      return reply.send({ status: 'accepted', accepted: added, duplicates, ignored: webhook.ignored });
    });
  };
}

function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}
