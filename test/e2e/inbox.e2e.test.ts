/**
 * The agent inbox in a real browser: Debian's Chromium (playwright-core) against the real server
 * (Fastify + tRPC over HTTP and websocket, in-memory adapters, the sandbox WhatsApp gateway) serving
 * the app built by Vite. Customer messages and delivery statuses arrive as signed webhooks, exactly
 * as WhatsApp sends them. The suite fails (never skips) when Chromium is missing.
 *
 * The tests run in order and share one signed-in admin page; each builds on what the previous did.
 * Screenshots of the inbox and of a conversation are written to docs/screenshots/.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/application/messages/receive-inbound-message.js';
import type { Ports } from '../../src/application/ports/ports.js';
import { TOKENS } from '../../src/infrastructure/tokens.js';
import { postSignedWebhook } from '../support/graph-api-stand-in.js';
import {
  buildWebApp,
  customerMessage,
  E2E_ADMIN,
  E2E_APP_SECRET,
  type E2eServer,
  launchChromium,
  newWamid,
  ROOT,
  removeDir,
  startE2eServer,
  statusUpdate,
  writeSamplePng,
} from '../support/web-e2e.js';

/**
 * `expect.poll` with room for a loaded CI machine (vitest's default gives up after one second);
 * the browser side waits with Playwright's own timeouts.
 */
const eventually = <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) =>
  expect.poll(fn, { interval: 50, timeout: 10_000, ...options });

const SCREENSHOTS = join(ROOT, 'docs/screenshots');
const MARIA = { phone: '5215512345678', name: 'María López' };
const JORGE = { phone: '5215598765432', name: 'Jorge Ramírez' };
const LUISA = { phone: '5213312345678', name: 'Luisa Fernández' };
const SUPERVISOR = { first: 'Sofía', last: 'Supervisora', email: 'sofia@example.com' };
const AGENT = { first: 'Carlos', last: 'Agente', email: 'carlos@example.com' };
const AGENT_PASSWORD = 'agent password 1234';

/**
 * The browser globals the page functions below touch. The root tsconfig has no DOM lib (it is the
 * server's), so they are typed here; the casts compile away and the functions run in the page.
 */
interface PageGlobals {
  __alerts: { beeps: number; notifications: string[] };
  /** Every frame the page sent on a websocket. */
  __wsSent: string[];
  WebSocket: { prototype: { send(data: unknown): void } };
  __noReload?: boolean;
  AudioContext: { prototype: { createOscillator(): unknown } };
  Notification: unknown;
  sessionStorage: { getItem(key: string): string | null };
  getComputedStyle(element: unknown): { color: string };
}

/** Counts beeps and browser notifications, and records websocket frames (the app's real code paths, observed). */
const PAGE_SPY = () => {
  const g = globalThis as unknown as PageGlobals;
  g.__alerts = { beeps: 0, notifications: [] };
  g.__wsSent = [];
  const send = g.WebSocket.prototype.send;
  g.WebSocket.prototype.send = function (this: unknown, data: unknown) {
    if (typeof data === 'string') g.__wsSent.push(data);
    return send.call(this, data);
  };
  const createOscillator = g.AudioContext.prototype.createOscillator;
  g.AudioContext.prototype.createOscillator = function (this: unknown) {
    g.__alerts.beeps += 1;
    return createOscillator.call(this);
  };
  class RecordingNotification {
    static permission = 'granted';
    static requestPermission = async () => 'granted';
    onclick: (() => void) | null = null;
    constructor(title: string) {
      g.__alerts.notifications.push(title);
    }
    close() {}
  }
  g.Notification = RecordingNotification;
};

describe('agent inbox (browser)', { timeout: 60_000 }, () => {
  let webDir: string | undefined;
  let srv: E2eServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let ports: Ports;
  const pageErrors: string[] = [];
  let mariaConversation = '';
  let mariaTextWamid = '';

  const webhook = async (payload: unknown) => {
    const res = await postSignedWebhook(`${srv!.url}/webhooks/whatsapp`, payload, E2E_APP_SECRET);
    expect(res.status, await res.clone().text()).toBe(200);
  };
  const conversationOf = async (wamid: string): Promise<string> => {
    await eventually(async () => (await ports.messages.findByWhatsappId(wamid))?.conversationId, {
      timeout: 10_000,
    }).toBeTruthy();
    return (await ports.messages.findByWhatsappId(wamid))!.conversationId;
  };
  const conversationItem = (p: Page, name: string): Locator =>
    p.getByRole('list', { name: 'Conversaciones' }).getByRole('link').filter({ hasText: name });
  const history = (p: Page) => p.getByRole('list', { name: 'Historial de mensajes' });
  /** Dismisses the alerts still on screen (so a screenshot shows the screen, not old toasts). */
  const dismissToasts = async () => {
    const buttons = page.getByRole('button', { name: 'Descartar aviso' });
    // Toasts also expire on their own, so one may be gone by the time it is clicked.
    for (let i = 0; i < 10 && (await buttons.count()) > 0; i++) {
      await buttons
        .first()
        .click({ timeout: 1_000 })
        .catch(() => {});
    }
    expect(await buttons.count()).toBe(0);
  };

  beforeAll(async () => {
    browser = await launchChromium(); // first: no Chromium, no point building anything
    webDir = await buildWebApp();
    await writeSamplePng(webDir, 'e2e-photo.png');
    srv = await startE2eServer(webDir);
    ports = srv.app.container.resolve<Ports>(TOKENS.Ports);
    await mkdir(SCREENSHOTS, { recursive: true });
    context = await browser.newContext({
      viewport: { width: 1366, height: 860 },
      locale: 'es-MX',
      timezoneId: 'America/Mexico_City',
    });
    await context.addInitScript(PAGE_SPY);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await srv?.close();
    await removeDir(webDir);
  });

  it('serves the app at / with a fallback for its screens, and leaves the API paths alone', async () => {
    const url = srv!.url;
    const index = await fetch(`${url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(await index.text()).toContain('<div id="root">');
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }; // what a browser sends
    const deep = await fetch(`${url}/tickets/abc`, { headers: html });
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    // Not a browser: an unknown path stays the JSON 404.
    const plain = await fetch(`${url}/tickets/abc`);
    expect(plain.status).toBe(404);
    expect(plain.headers.get('content-type')).toContain('application/json');
    expect((await fetch(`${url}/trpc/nope`, { headers: html })).status).toBe(404);
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
    const api = await fetch(`${url}/trpc/nope`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/json');
    expect((await fetch(`${url}/healthz`)).headers.get('content-type')).toContain('application/json');
    expect((await fetch(`${url}/webhooks/whatsapp`, { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('logs in (in Spanish by default) and sets the agent’s own status', async () => {
    await page.goto(srv!.url);
    await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor();
    await page.getByLabel('Correo electrónico').fill(E2E_ADMIN.email);
    await page.getByLabel('Contraseña').fill(E2E_ADMIN.password);
    await page.getByLabel('Contraseña').press('Enter');
    await page.getByRole('heading', { name: 'Conversaciones' }).waitFor();
    await page.getByText('En vivo').waitFor(); // the inbox websocket is up
    expect(
      await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.getItem('crm.session')),
    ).toBeTruthy();

    await page.getByLabel('Mi estado').selectOption('busy');
    await eventually(async () => (await ports.agents.findByEmail(E2E_ADMIN.email))?.status).toBe('busy');
    await eventually(() => page.getByLabel('Mi estado').inputValue()).toBe('busy');
  });

  it('an admin creates agents: a supervisor and a plain agent', async () => {
    await page
      .getByRole('navigation', { name: 'Navegación principal' })
      .getByRole('link', { name: 'Agentes' })
      .click();
    await page.getByRole('heading', { name: 'Agentes', level: 1 }).waitFor();
    const form = page.getByRole('form', { name: 'Crear agente' });
    for (const [who, role] of [
      [SUPERVISOR, 'supervisor'],
      [AGENT, 'agent'],
    ] as const) {
      await form.getByLabel('Nombre').fill(who.first);
      await form.getByLabel('Apellido').fill(who.last);
      await form.getByLabel('Correo').fill(who.email);
      await form.getByLabel('Contraseña (mín. 12)').fill(AGENT_PASSWORD);
      await form.getByLabel('Rol').selectOption(role);
      await form.getByRole('button', { name: 'Crear agente' }).click();
      await page.locator(`tr[data-agent-email="${who.email}"]`).waitFor();
    }
    expect((await ports.agents.findByEmail(SUPERVISOR.email))?.role).toBe('supervisor');
    expect((await ports.agents.findByEmail(AGENT.email))?.permissions).not.toContain('manage:agents');

    // A third one: promoted, then deactivated and reactivated.
    await form.getByLabel('Nombre').fill('Tomás');
    await form.getByLabel('Apellido').fill('Temporal');
    await form.getByLabel('Correo').fill('tomas@example.com');
    await form.getByLabel('Contraseña (mín. 12)').fill(AGENT_PASSWORD);
    await form.getByLabel('Rol').selectOption('agent');
    await form.getByRole('button', { name: 'Crear agente' }).click();
    const row = page.locator('tr[data-agent-email="tomas@example.com"]');
    await row.waitFor();
    await row.getByLabel('Rol · Tomás Temporal').selectOption('supervisor');
    await eventually(async () => (await ports.agents.findByEmail('tomas@example.com'))?.role).toBe(
      'supervisor',
    );
    await row.getByRole('button', { name: 'Desactivar Tomás Temporal' }).click();
    await row.getByRole('button', { name: 'Reactivar Tomás Temporal' }).waitFor();
    expect((await ports.agents.findByEmail('tomas@example.com'))?.isActive).toBe(false);
    await row.getByRole('button', { name: 'Reactivar Tomás Temporal' }).click();
    await row.getByRole('button', { name: 'Desactivar Tomás Temporal' }).waitFor();
    expect((await ports.agents.findByEmail('tomas@example.com'))?.isActive).toBe(true);
    // Back to a plain agent, so escalations below go to Sofía (the only supervisor).
    await row.getByLabel('Rol · Tomás Temporal').selectOption('agent');
    await eventually(async () => (await ports.agents.findByEmail('tomas@example.com'))?.role).toBe('agent');
  });

  it('an admin changes settings: assignment, SLA targets, business hours, AI', async () => {
    await page
      .getByRole('navigation', { name: 'Navegación principal' })
      .getByRole('link', { name: 'Ajustes' })
      .click();
    await page.getByRole('heading', { name: 'Ajustes', level: 1 }).waitFor();
    const settings = srv!.app.container.resolve<Ports>(TOKENS.Ports).settings;
    const stored = async (key: string) => (await settings.getAll()).find((s) => s.key === key)?.value;

    const assignment = page.getByRole('form', { name: 'Asignación' });
    await assignment.getByLabel('Asignación automática').uncheck();
    await assignment.getByLabel('Máx. conversaciones por agente').fill('8');
    await assignment.getByRole('button', { name: 'Guardar' }).click();
    await eventually(() => stored('auto_assignment_enabled')).toBe(false);
    await eventually(() => stored('max_conversations_per_agent')).toBe(8);

    const sla = page.getByRole('form', { name: 'Objetivos SLA (minutos hábiles)' });
    await sla.getByLabel('standard · Urgente · 1.ª respuesta').fill('20');
    await sla.getByRole('button', { name: 'Guardar' }).click();
    await eventually(
      async () =>
        ((await stored('sla_targets')) as { standard: { urgent: { firstResponse: number } } })?.standard
          .urgent.firstResponse,
    ).toBe(20);

    const hours = page.getByRole('form', { name: 'Horario de atención' });
    await hours.getByLabel('Abierto · Sábado').check();
    await hours.getByRole('button', { name: 'Guardar' }).click();
    await eventually(
      async () => ((await stored('business_hours')) as { saturday: { enabled: boolean } })?.saturday.enabled,
    ).toBe(true);

    // The server checks every value: a refusal is shown, nothing is stored.
    await hours.getByLabel('Hasta · Lunes').fill('08:00');
    await hours.getByRole('button', { name: 'Guardar' }).click();
    await hours.getByRole('alert').waitFor();
    expect(((await stored('business_hours')) as { monday: { end: string } }).monday.end).toBe('18:00');

    const ai = page.getByRole('form', { name: 'Asistente IA' });
    await ai.getByLabel('Cuándo responde la IA').selectOption('outside_business_hours');
    await ai.getByRole('button', { name: 'Guardar' }).click();
    await eventually(() => stored('ai_response_hours')).toBe('outside_business_hours');
  });

  it('a customer message posted to the signed webhook appears in the open inbox without a reload, and rings', async () => {
    await page.getByRole('link', { name: 'Bandeja' }).click();
    await page.getByRole('heading', { name: 'Conversaciones' }).waitFor();
    await eventually(() => page.getByText('No hay conversaciones con estos filtros.').isVisible()).toBe(true);
    await page.evaluate(() => {
      (globalThis as unknown as PageGlobals).__noReload = true;
    });

    const text = await customerMessage('text', {
      from: MARIA.phone,
      profileName: MARIA.name,
      at: new Date(Date.now() - 50 * 60_000),
      edit: (m) => {
        m.text = { body: 'Hola, mi pedido #4821 no ha llegado y ya pasaron 5 días 😟' };
      },
    });
    mariaTextWamid = text.wamid;
    await webhook(text.payload);

    const item = conversationItem(page, MARIA.name);
    await item.waitFor({ timeout: 10_000 });
    await eventually(() => item.textContent()).toContain('mi pedido #4821');
    await eventually(() => item.textContent()).toContain('1 sin leer');
    await eventually(() => item.locator('[data-sla]').getAttribute('data-sla')).toBe('ok'); // medium: 4 h target
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__noReload)).toBe(true);

    // ring + browser notification (the admin's preferences: sound and push on)
    await eventually(() =>
      page.evaluate(() => (globalThis as unknown as PageGlobals).__alerts.beeps),
    ).toBeGreaterThan(0);
    const notes = await page.evaluate(() => (globalThis as unknown as PageGlobals).__alerts.notifications);
    expect(notes).toContain(`Nuevo mensaje de ${MARIA.name}`);
    await page.getByRole('status').getByText(`Nuevo mensaje de ${MARIA.name}`).first().waitFor();

    mariaConversation = await conversationOf(text.wamid);
  });

  it('shows every message type sensibly: image thumbnail, document, audio, location, contacts, replies, reactions, unsupported, AI reading', async () => {
    const base = Date.now() - 45 * 60_000;
    const at = (i: number) => new Date(base + i * 60_000);
    const posts = [
      await customerMessage('image', {
        from: MARIA.phone,
        profileName: MARIA.name,
        at: at(0),
        edit: (m) => {
          (m.image as Record<string, unknown>).caption = 'Así llegó la caja';
        },
      }),
      await customerMessage('document', {
        from: MARIA.phone,
        profileName: MARIA.name,
        at: at(1),
        edit: (m) => {
          m.document = { ...(m.document as object), filename: 'factura-4821.pdf', caption: 'Mi factura' };
          delete m.context;
        },
      }),
      await customerMessage('audio', {
        from: MARIA.phone,
        profileName: MARIA.name,
        at: at(2),
        edit: (m) => delete m.context,
      }),
      await customerMessage('location', {
        from: MARIA.phone,
        profileName: MARIA.name,
        at: at(3),
        edit: (m) => {
          m.location = {
            latitude: 19.4326,
            longitude: -99.1332,
            name: 'Mi casa',
            address: 'Av. Juárez 10, Ciudad de México',
          };
          delete m.context;
        },
      }),
      await customerMessage('contacts', { from: MARIA.phone, profileName: MARIA.name, at: at(4) }),
      await customerMessage('interactive_button_reply', {
        from: MARIA.phone,
        profileName: MARIA.name,
        at: at(5),
        edit: (m) => {
          m.interactive = { type: 'button_reply', button_reply: { id: 'track', title: 'Rastrear pedido' } };
          delete m.context;
        },
      }),
      await customerMessage('reaction', {
        from: MARIA.phone,
        profileName: MARIA.name,
        at: at(6),
        edit: (m) => {
          m.reaction = { message_id: mariaTextWamid, emoji: '🙏' };
        },
      }),
      await customerMessage('text', {
        from: MARIA.phone,
        profileName: MARIA.name,
        at: at(7),
        edit: (m) => {
          m.type = 'unsupported';
          delete m.text;
          m.errors = [
            {
              code: 131051,
              title: 'Message type unknown',
              details: 'Message type is currently not supported.',
            },
          ];
        },
      }),
    ];
    for (const p of posts) await webhook(p.payload);
    for (const p of posts) await conversationOf(p.wamid);

    // What the media store and the AI worker would have added (neither is configured here).
    const image = await ports.messages.findByWhatsappId(posts[0]!.wamid);
    await ports.messages.patch(image!.id, {
      attachments: image!.attachments.map((a) => ({
        ...a,
        url: `${srv!.url}/e2e-photo.png`,
        storage: 'stored' as const,
      })),
    });
    const first = await ports.messages.findByWhatsappId(mariaTextWamid);
    await ports.messages.patch(first!.id, {
      aiProcessed: true,
      aiResponse: { confidence: 0.92, intent: 'order_status', entities: ['#4821'], sentiment: 'negative' },
    });

    await conversationItem(page, MARIA.name).click();
    await page.getByRole('heading', { name: MARIA.name, level: 2 }).first().waitFor();
    const log = history(page);
    await log.getByText('Hola, mi pedido #4821').waitFor();
    await eventually(() => log.locator('li.message').count(), { timeout: 10_000 }).toBe(9);

    const thumb = log.locator('li.type-image img.thumb');
    await eventually(() =>
      thumb.evaluate((img) => {
        const i = img as unknown as { complete: boolean; naturalWidth: number };
        return i.complete ? i.naturalWidth : 0;
      }),
    ).toBe(160);
    await log.getByText('Así llegó la caja').waitFor();
    // No media store here: document and audio keep their WhatsApp media id, shown as not yet available.
    await log.getByText('factura-4821.pdf (archivo aún no disponible)').waitFor();
    await log.getByText('Mi factura').waitFor();
    await log.locator('li.type-audio').getByText('Audio (archivo aún no disponible)').waitFor();
    const map = log.getByRole('link', { name: /Ver en el mapa/ });
    expect(await map.getAttribute('href')).toContain('mlat=19.4326');
    await log.getByText('Chandler Bing').waitFor();
    await log.getByText('Respuesta: Rastrear pedido').waitFor();
    await log.getByText('Reaccionó 🙏 a un mensaje').waitFor();
    await log.getByText('Tipo de mensaje no compatible').waitFor();
    await log.getByText('Intención: order_status').waitFor();
    await log.getByText('Sentimiento: negativo').waitFor();

    // Opening the conversation read it.
    await eventually(async () => (await ports.conversations.findById(mariaConversation))?.unreadCount).toBe(
      0,
    );
  });

  it('the agent assigns it, replies with Enter, and sees the delivery ticks move with status webhooks', async () => {
    await page.getByRole('button', { name: 'Tomar conversación' }).click();
    await page.getByText('Asignada a Tú').waitFor();
    const admin = await ports.agents.findByEmail(E2E_ADMIN.email);
    await eventually(async () => (await ports.conversations.findById(mariaConversation))?.assignedAgent).toBe(
      admin!.id,
    );

    await page.getByText(/Ventana de 24 h abierta/).waitFor();
    const box = page.getByRole('textbox', { name: 'Respuesta al cliente' });
    await box.fill('¡Hola María! Lamento el retraso. Ya revisé tu pedido #4821: sale hoy a reparto.');
    await box.press('Enter');
    await eventually(() => box.inputValue()).toBe('');

    const reply = history(page).locator('li.message.outbound').filter({ hasText: 'sale hoy a reparto' });
    await reply.waitFor();
    // The outbox sender delivers it through the sandbox gateway: sent ✓
    await eventually(() => reply.getAttribute('data-status'), { timeout: 10_000 }).toBe('sent');
    expect(await reply.getByRole('img', { name: 'Enviado' }).textContent()).toBe('✓');

    const stored = (await ports.messages.listByConversation(mariaConversation, { limit: 50 })).items.find(
      (m) => m.direction === 'outbound' && m.content.includes('sale hoy a reparto'),
    );
    const wamid = stored?.whatsappMessageId;
    expect(wamid).toMatch(/^wamid\./);

    await webhook(await statusUpdate(wamid!, 'delivered', MARIA.phone));
    await eventually(() => reply.getAttribute('data-status'), { timeout: 10_000 }).toBe('delivered');
    expect(await reply.getByRole('img', { name: 'Entregado' }).textContent()).toBe('✓✓');

    await webhook(await statusUpdate(wamid!, 'read', MARIA.phone));
    await eventually(() => reply.getAttribute('data-status'), { timeout: 10_000 }).toBe('read');
    const readTicks = reply.getByRole('img', { name: 'Leído' });
    expect(
      await readTicks.evaluate((el) => (globalThis as unknown as PageGlobals).getComputedStyle(el).color),
    ).toBe('rgb(10, 132, 214)'); // blue

    // A second reply that WhatsApp refuses: the failure and its reason are shown on the message.
    await box.fill('¿Me confirmas la dirección de entrega?');
    await box.press('Enter');
    const second = history(page).locator('li.message.outbound').filter({ hasText: 'dirección de entrega' });
    await eventually(() => second.getAttribute('data-status'), { timeout: 10_000 }).toBe('sent');
    const secondStored = (
      await ports.messages.listByConversation(mariaConversation, { limit: 50 })
    ).items.find((m) => m.content.includes('dirección de entrega'));
    await webhook(await statusUpdate(secondStored!.whatsappMessageId!, 'failed', MARIA.phone));
    await eventually(() => second.getAttribute('data-status'), { timeout: 10_000 }).toBe('failed');
    expect(await second.locator('[data-ticks="failed"]').textContent()).toMatch(/Falló: .*experiment/i);

    // An internal note, and a tag, then the screenshot of the conversation.
    await page.getByRole('radio', { name: 'Nota interna' }).check();
    const note = page.getByRole('textbox', { name: 'Nota interna (solo la ven los agentes)' });
    await note.fill('Cliente molesta: ofrecer envío gratis en su próxima compra.');
    await note.press('Enter');
    await history(page).getByText('ofrecer envío gratis').waitFor();
    await page.getByRole('radio', { name: 'Responder' }).check();
    await page.getByRole('textbox', { name: 'Nueva etiqueta (Etiquetas)' }).fill('envíos');
    await page.getByRole('textbox', { name: 'Nueva etiqueta (Etiquetas)' }).press('Enter');
    await eventually(async () => (await ports.conversations.findById(mariaConversation))?.tags).toEqual([
      'envíos',
    ]);
    await page.getByLabel('Prioridad', { exact: true }).selectOption('high');
    await eventually(async () => (await ports.conversations.findById(mariaConversation))?.priority).toBe(
      'high',
    );

    // The conversation from its start: the AI's reading, the photo, the document, the location...
    await page.locator('.timeline').evaluate((el) => {
      el.scrollTop = 0;
    });
    await dismissToasts();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SCREENSHOTS, 'conversation.png') });
  });

  it('outside the 24-hour window the reply box becomes a template picker that says why', async () => {
    const inbound: InboundMessage = {
      whatsappMessageId: newWamid(),
      from: JORGE.phone,
      profileName: JORGE.name,
      phoneNumberId: '1122334455667',
      timestamp: new Date(Date.now() - 25 * 60 * 60_000),
      type: 'text',
      content: '¿Tienen la talla M en azul?',
    };
    const { conversation } = await srv!.useCases.messages.receive.execute(inbound);

    await conversationItem(page, JORGE.name).click();
    await page.getByRole('heading', { name: JORGE.name, level: 2 }).first().waitFor();
    await page.getByText(/Han pasado más de 24 horas desde el último mensaje del cliente/).waitFor();
    await eventually(() => page.getByRole('textbox', { name: 'Respuesta al cliente' }).count()).toBe(0);
    const picker = page.getByRole('form', { name: 'Plantilla' });
    await picker.getByLabel('Nombre de la plantilla').fill('seguimiento_pedido');
    await picker.getByLabel('Idioma de la plantilla').fill('es_MX');
    await picker.getByLabel('Parámetros (uno por línea)').fill('Jorge');
    await picker.getByRole('button', { name: 'Enviar plantilla' }).click();
    const sent = history(page).locator('li.message.type-template');
    await sent.getByText('Plantilla «seguimiento_pedido» (es_MX)').waitFor();
    await eventually(() => sent.getAttribute('data-status'), { timeout: 10_000 }).toBe('sent');
    const stored = (await ports.messages.listByConversation(conversation.id, { limit: 10 })).items;
    expect(stored.find((m) => m.type === 'template')?.template?.name).toBe('seguimiento_pedido');
  });

  it('opens a ticket from the conversation and escalates it', async () => {
    await conversationItem(page, MARIA.name).click();
    await page.getByRole('heading', { name: MARIA.name, level: 2 }).first().waitFor();
    await page.getByRole('button', { name: 'Abrir ticket' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Asunto').fill('Pedido #4821 sin entregar');
    await dialog.getByLabel('Descripción').fill('La clienta reporta 5 días de retraso y la caja dañada.');
    await dialog.getByLabel('Categoría').selectOption('complaint');
    await dialog.getByRole('button', { name: 'Crear ticket' }).click();

    await page.getByRole('heading', { name: 'Pedido #4821 sin entregar', level: 2 }).waitFor();
    await eventually(() => page.url()).toMatch(/\/tickets\/[0-9a-f]{24}$/);
    const ticketId = page.url().split('/').at(-1)!;
    const ticket = await ports.tickets.findById(ticketId);
    expect(ticket?.conversationId).toBe(mariaConversation);
    expect(ticket?.priority).toBe('high'); // taken from the conversation

    await page.getByRole('textbox', { name: 'Escalar' }).fill('Retraso mayor a 3 días: requiere supervisión');
    await page.getByRole('button', { name: 'Escalar' }).click();
    await page.getByText(/Escalado a Sofía Supervisora: Retraso mayor a 3 días/).waitFor();
    const escalated = await ports.tickets.findById(ticketId);
    expect(escalated?.escalated).toBe(true);
    expect(escalated?.escalatedTo).toBe((await ports.agents.findByEmail(SUPERVISOR.email))?.id);
    expect(escalated?.priority).toBe('urgent');

    // A status change and a note, then the ticket shows in the list filtered by "escalated".
    await page.getByLabel('Cambiar estado').selectOption('in_progress');
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.locator('[data-ticket-status="in_progress"]').waitFor();
    await page.getByRole('textbox', { name: 'Añadir nota' }).fill('Se pidió al almacén reenviar el paquete.');
    await page.getByRole('button', { name: 'Añadir nota' }).click();
    await page.getByText('Se pidió al almacén reenviar el paquete.').waitFor();
    await page.getByLabel('Solo escalados').check();
    await page.getByRole('list', { name: 'Tickets' }).getByText('Pedido #4821 sin entregar').waitFor();

    // Resolution.
    await page
      .getByLabel('Resumen de la solución')
      .fill('Paquete reenviado con envío express; cupón de disculpa.');
    await page.getByLabel('Tipo de resolución').selectOption('workaround');
    await page.getByRole('button', { name: 'Resolver' }).click();
    await page.locator('[data-ticket-status="resolved"]').waitFor();
    await page.getByText('Paquete reenviado con envío express').first().waitFor();
    const resolved = await ports.tickets.findById(ticketId);
    expect(resolved?.status).toBe('resolved');
    expect(resolved?.resolution?.resolutionCategory).toBe('workaround');
  });

  it('the customer panel: segment, tags, custom fields, block and unblock, their tickets', async () => {
    await page.goto(`${srv!.url}/c/${mariaConversation}`);
    const panel = page.getByRole('complementary', { name: 'Ficha del cliente' });
    await panel.getByRole('heading', { name: MARIA.name }).waitFor();
    const customerId = (await ports.conversations.findById(mariaConversation))!.customerId;
    const customer = () => ports.customers.findById(customerId);

    await panel.getByLabel('Segmento').selectOption('vip');
    await eventually(async () => (await customer())?.segment).toBe('vip');
    await panel.getByRole('textbox', { name: 'Nueva etiqueta (Etiquetas · Cliente)' }).fill('frecuente');
    await panel.getByRole('textbox', { name: 'Nueva etiqueta (Etiquetas · Cliente)' }).press('Enter');
    await eventually(async () => (await customer())?.tags).toEqual(['frecuente']);
    await panel.getByLabel('Campo').fill('numero_cliente');
    await panel.getByLabel('Valor').fill('C-10293');
    await panel.getByRole('button', { name: 'Añadir' }).last().click();
    await eventually(async () => (await customer())?.customFields).toEqual({ numero_cliente: 'C-10293' });
    await panel.getByText('C-10293').waitFor();

    await panel.getByRole('textbox', { name: 'Motivo' }).fill('Mensajes ofensivos');
    await panel.getByRole('button', { name: 'Bloquear', exact: true }).click();
    await panel.getByText('Bloqueado: Mensajes ofensivos').waitFor();
    expect((await customer())?.isBlocked).toBe(true);
    await panel.getByRole('textbox', { name: 'Motivo' }).fill('Se disculpó');
    await panel.getByRole('button', { name: 'Desbloquear' }).click();
    await panel.getByRole('button', { name: 'Bloquear', exact: true }).waitFor();
    await eventually(async () => (await customer())?.isBlocked).toBe(false);

    await panel.getByRole('link', { name: /TICKET-\d{4}-\d+/ }).waitFor();
  });

  it('after the websocket drops, the live inbox resumes from the last event id and misses nothing', async () => {
    await page.getByRole('link', { name: 'Bandeja' }).click();
    await conversationItem(page, JORGE.name).waitFor();
    await page.evaluate(() => {
      (globalThis as unknown as PageGlobals).__wsSent = [];
    });
    // The connection drops and the network stays down for a while.
    await context!.setOffline(true);
    srv!.server.live.closeAll('e2e: network drop');
    await page.getByText('Reconectando…').waitFor();

    // Meanwhile Jorge writes again (the event is published while the page is offline).
    const missed = await customerMessage('text', {
      from: JORGE.phone,
      profileName: JORGE.name,
      edit: (m) => {
        m.text = { body: 'Sigo esperando respuesta sobre la talla' };
      },
    });
    await webhook(missed.payload);
    await conversationOf(missed.wamid);
    await page.waitForTimeout(300);
    expect(await conversationItem(page, JORGE.name).textContent()).not.toContain('Sigo esperando');

    await context!.setOffline(false);
    await page.getByText('En vivo').waitFor({ timeout: 15_000 });
    await eventually(() => conversationItem(page, JORGE.name).textContent(), { timeout: 10_000 }).toContain(
      'Sigo esperando respuesta',
    );
    const frames = await page.evaluate(() => (globalThis as unknown as PageGlobals).__wsSent);
    const resubscribe = frames.find((f) => f.includes('inbox.events'));
    expect(resubscribe).toBeDefined();
    // tRPC's wsLink sends the id of the last tracked event it got; the server replays what came after.
    expect(JSON.parse(resubscribe!).params.lastEventId).toMatch(/\S/);
  });

  it('takes a screenshot of the inbox with live conversations', async () => {
    await dismissToasts();
    const luisa = await customerMessage('text', {
      from: LUISA.phone,
      profileName: LUISA.name,
      at: new Date(Date.now() - 5 * 60 * 60_000),
      edit: (m) => {
        m.text = { body: 'Buenas tardes, ¿cuál es el horario de la sucursal Centro?' };
      },
    });
    await webhook(luisa.payload);
    await page.getByRole('link', { name: 'Bandeja' }).click();
    await conversationItem(page, LUISA.name).waitFor();
    // 5 h waiting on a medium-priority conversation: the 4 h target is breached
    await eventually(() =>
      conversationItem(page, LUISA.name).locator('[data-sla]').getAttribute('data-sla'),
    ).toBe('breached');
    await conversationItem(page, MARIA.name).click();
    await history(page).getByText('sale hoy a reparto').waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SCREENSHOTS, 'inbox.png') });
  });

  it('an agent without the permission does not see the admin screens; English works too; phone width', async () => {
    const agentContext = await browser!.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      const agentPage = await agentContext.newPage();
      agentPage.on('pageerror', (error) => pageErrors.push(error.message));
      await agentPage.goto(srv!.url);
      await agentPage.getByLabel('Correo electrónico').fill(AGENT.email);
      await agentPage.getByLabel('Contraseña').fill(AGENT_PASSWORD);
      await agentPage.getByRole('button', { name: 'Entrar' }).click();
      const nav = agentPage.getByRole('navigation', { name: 'Navegación principal' });
      await nav.getByRole('link', { name: 'Bandeja' }).waitFor();
      await nav.getByRole('link', { name: 'Tickets' }).waitFor();
      expect(await nav.getByRole('link', { name: 'Agentes' }).count()).toBe(0);
      expect(await nav.getByRole('link', { name: 'Ajustes' }).count()).toBe(0);
      await agentPage.goto(`${srv!.url}/admin/agents`);
      await agentPage.getByText('No tienes permiso para ver esta pantalla.').waitFor();
      await agentPage.goto(`${srv!.url}/admin/settings`);
      await agentPage.getByText('No tienes permiso para ver esta pantalla.').waitFor();

      // A plain agent sees the unassigned queue (Luisa), not the admin's conversation (María).
      await agentPage.goto(srv!.url);
      await agentPage.getByRole('radio', { name: 'Sin asignar' }).check();
      await conversationItem(agentPage, LUISA.name).waitFor();
      expect(await conversationItem(agentPage, MARIA.name).count()).toBe(0);

      // Phone width: the list, then the conversation alone with a way back.
      await conversationItem(agentPage, LUISA.name).click();
      await agentPage.getByRole('heading', { name: LUISA.name, level: 2 }).waitFor();
      expect(await agentPage.getByRole('heading', { name: 'Conversaciones' }).isVisible()).toBe(false);
      await agentPage.getByRole('link', { name: 'Volver a la bandeja' }).click();
      await agentPage.getByRole('heading', { name: 'Conversaciones' }).waitFor();

      // English, from the agent's preferences.
      await agentPage.locator('details.menu > summary').click();
      await agentPage.getByLabel('Idioma').selectOption('en');
      await agentPage.getByRole('heading', { name: 'Conversations' }).waitFor();
      await agentPage
        .getByRole('navigation', { name: 'Main navigation' })
        .getByRole('link', { name: 'Inbox' })
        .waitFor();
      expect((await ports.agents.findByEmail(AGENT.email))?.preferences.language).toBe('en');

      // Log out: back to the login screen, the session ended on the server.
      await agentPage.getByRole('button', { name: 'Sign out' }).click();
      await agentPage.getByRole('heading', { name: /Sign in|Iniciar sesión/ }).waitFor();
      expect(
        await agentPage.evaluate(() =>
          (globalThis as unknown as PageGlobals).sessionStorage.getItem('crm.session'),
        ),
      ).toBeNull();
    } finally {
      await agentContext.close();
    }
  });

  it('an agent deactivated by an admin is signed out of the open app at once', async () => {
    const agentContext = await browser!.newContext();
    try {
      const agentPage = await agentContext.newPage();
      agentPage.on('pageerror', (error) => pageErrors.push(error.message));
      await agentPage.goto(srv!.url);
      await agentPage.getByLabel(/Correo electrónico|E-mail/).fill(AGENT.email);
      await agentPage.getByLabel(/Contraseña|Password/).fill(AGENT_PASSWORD);
      await agentPage.getByLabel(/Contraseña|Password/).press('Enter');
      await agentPage.getByRole('heading', { name: 'Conversations' }).waitFor(); // English since the last test
      await agentPage.getByText('Live', { exact: true }).waitFor();

      await page.goto(`${srv!.url}/admin/agents`);
      await page.getByRole('button', { name: `Desactivar ${AGENT.first} ${AGENT.last}` }).click();
      await page.getByRole('button', { name: `Reactivar ${AGENT.first} ${AGENT.last}` }).waitFor();

      await agentPage.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
      expect(
        await agentPage.evaluate(() =>
          (globalThis as unknown as PageGlobals).sessionStorage.getItem('crm.session'),
        ),
      ).toBeNull();
    } finally {
      await agentContext.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
