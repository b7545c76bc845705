/**
 * The agent inbox (src/interfaces/web, built by `npm run build:web` into dist/web) served at `/`:
 * its files as they are (hashed assets cached for a year), and every other GET from a browser (one
 * that accepts text/html) that is not an API path answered with index.html, so the app's own router
 * handles deep links (`/c/<id>`).
 *
 * API paths (/trpc, /webhooks, /healthz, /readyz, /metrics) are never answered here: an unknown one
 * stays the server's JSON 404, and so does any unknown path for a non-browser client; a missing file
 * (`/assets/x.js`) is a 404 too, never index.html.
 * Without a build, `/` says how to make one (503) instead of failing the whole server.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

export const API_PREFIXES = ['/trpc', '/webhooks', '/healthz', '/readyz', '/metrics'] as const;

const HERE = dirname(fileURLToPath(import.meta.url));

/** dist/web next to the sources (src/interfaces/http → dist/web) or to the compiled server (dist/interfaces/http → dist/web). */
export function defaultWebRoot(): string | undefined {
  const candidates = [resolve(HERE, '../../../dist/web'), resolve(HERE, '../../web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

export function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * What the page may load: its own scripts and styles, images and media over https (customer
 * attachments), the API and the live websocket on the same origin. No framing.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "media-src 'self' https:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

export interface WebAppOptions {
  /** The built app; default `defaultWebRoot()`. */
  root?: string | undefined;
}

export function webAppRoutes(options: WebAppOptions = {}): FastifyPluginAsync {
  return async (fastify) => {
    const root = options.root ?? defaultWebRoot();
    if (!root || !existsSync(join(root, 'index.html'))) {
      fastify.log.warn(
        'web app not built (no dist/web/index.html): run `npm run build:web` to serve the inbox at /',
      );
      fastify.get('/', async (_request, reply) =>
        reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The agent inbox is not built. Run `npm run build:web` (npm start does it) and reload.'),
      );
      return;
    }
    const rootDir = resolve(root);
    await fastify.register(fastifyStatic, { root: rootDir, serve: false });

    const sendIndex = (reply: FastifyReply) =>
      reply
        .header('cache-control', 'no-cache')
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'same-origin')
        .sendFile('index.html', rootDir, { cacheControl: false });

    fastify.get('/*', async (request, reply) => {
      let path: string;
      try {
        path = decodeURIComponent(request.url.split('?')[0] ?? '/');
      } catch {
        return reply.callNotFound();
      }
      if (isApiPath(path) || path.includes('\0')) return reply.callNotFound();
      const relative = normalize(path).replace(/^[/\\]+/, '');
      if (relative === '' || relative === 'index.html') return sendIndex(reply);
      const file = resolve(rootDir, relative);
      if (file.startsWith(rootDir + sep) && isFile(file)) {
        const hashed = relative.startsWith(`assets${sep}`) || relative.startsWith('assets/');
        return reply
          .header('x-content-type-options', 'nosniff')
          .sendFile(relative, rootDir, hashed ? { maxAge: '365d', immutable: true } : { maxAge: 0 });
      }
      // A missing file is a 404. Any other path is a screen of the app for a browser (it asks for
      // HTML); other clients keep the JSON 404 of an unknown route.
      if (/\.[A-Za-z0-9]{1,8}$/.test(relative) || !acceptsHtml(request.headers.accept))
        return reply.callNotFound();
      return sendIndex(reply);
    });
  };
}

/** A browser navigating asks for `text/html` explicitly; `fetch` and API clients send "any" or JSON. */
export function acceptsHtml(accept: string | undefined): boolean {
  return typeof accept === 'string' && /(^|,)\s*text\/html\b/i.test(accept);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
