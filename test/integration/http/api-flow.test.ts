/**
 * The agent API end to end: the real server driven by @trpc/client over HTTP and websocket, on the
 * in-memory adapters and on MongoDB (FerretDB by default). Customer messages are handed to the
 * application the way the webhook does (`useCases.messages.receive`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSIONS_REVOKED } from '../../../src/application/auth/session-revocations.js';
import { canSeeEvent } from '../../../src/application/inbox/follow-inbox.js';
import type { PublishedEvent } from '../../../src/application/ports/gateways.js';
import {
  ADMIN,
  type Adapters,
  createUser,
  inbound,
  login,
  nextPhone,
  type Running,
  startServer,
  trpcError,
  type User,
  type WsHandle,
  wsClient,
} from './api-harness.js';

interface Seen {
  id: string;
  type: string;
  payload: Record<string, unknown>;
}

interface Inbox {
  handle: WsHandle;
  events: Seen[];
  errors: unknown[];
  stop(): Promise<void>;
}

const POLL = { timeout: 5_000, interval: 20 };

describe.each<Adapters>(['memory', 'mongo'])('agent API flow (%s adapters)', (adapters) => {
  let running: Running;
  let admin: User;
  let supervisor: User;
  let alice: User;
  let bob: User;
  const inboxes: Inbox[] = [];

  beforeAll(async () => {
    running = await startServer(adapters);
    admin = await login(running.url, ADMIN.email, ADMIN.password);
    supervisor = await createUser(running.url, admin, 'supervisor', { firstName: 'Sofía' });
    alice = await createUser(running.url, admin, 'agent', { firstName: 'Alice' });
    bob = await createUser(running.url, admin, 'agent', { firstName: 'Bob' });
  });
  afterAll(async () => {
    for (const inbox of inboxes) await inbox.stop().catch(() => {});
    await running?.close();
  });

  /** Subscribes `user` to inbox.events over a websocket; resolves once the server started it. */
  async function follow(user: User, lastEventId?: string): Promise<Inbox> {
    const handle = wsClient(running.url, user.token);
    const events: Seen[] = [];
    const errors: unknown[] = [];
    let started!: () => void;
    const isStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const subscription = handle.client.inbox.events.subscribe(lastEventId ? { lastEventId } : undefined, {
      onStarted: () => started(),
      onData: (event) => events.push({ id: event.id, type: event.data.type, payload: event.data.payload }),
      onError: (err) => errors.push(err),
    });
    await isStarted;
    const inbox: Inbox = {
      handle,
      events,
      errors,
      async stop() {
        subscription.unsubscribe();
        await handle.ws.close();
      },
    };
    inboxes.push(inbox);
    return inbox;
  }

  const receive = (from: string, text?: string) =>
    running.useCases.messages.receive.execute(inbound(from, text));
  const of = (inbox: Inbox, conversationId: string) =>
    inbox.events.filter((e) => e.payload.conversationId === conversationId);
  const typesOf = (inbox: Inbox, conversationId: string) => of(inbox, conversationId).map((e) => e.type);
  /** Waits until `inbox` saw the message.received of a fresh queue conversation: everything before it arrived too. */
  async function sync(...inboxList: Inbox[]): Promise<void> {
    const marker = await receive(nextPhone(), 'marker');
    for (const inbox of inboxList) {
      await expect
        .poll(() => of(inbox, marker.conversation.id).some((e) => e.type === 'message.received'), POLL)
        .toBe(true);
    }
  }

  it('a customer message reaches the inbox live; the agent takes it, replies and resolves it', async () => {
    const inbox = await follow(alice);
    const result = await receive(nextPhone(), 'Hola, mi pedido no llegó');
    const conversationId = result.conversation.id;

    await expect.poll(() => typesOf(inbox, conversationId), POLL).toContain('message.received');
    const queue = await alice.http.conversations.list.query({ unassigned: true });
    expect(queue.items.map((c) => c.id)).toContain(conversationId);

    const assigned = await alice.http.conversations.assign.mutate({ conversationId, agentId: alice.id });
    expect(assigned).toMatchObject({ status: 'assigned', assignedAgent: alice.id });
    const { message } = await alice.http.messages.send.mutate({
      conversationId,
      message: { type: 'text', content: '  Hola Ana, lo reviso ahora  ' },
    });
    expect(message).toMatchObject({
      direction: 'outbound',
      status: 'pending',
      agentId: alice.id,
      content: 'Hola Ana, lo reviso ahora',
    });
    const resolved = await alice.http.conversations.changeStatus.mutate({
      conversationId,
      status: 'resolved',
      notes: 'Pedido reenviado',
    });
    expect(resolved).toMatchObject({
      status: 'resolved',
      resolvedBy: alice.id,
      resolutionNotes: 'Pedido reenviado',
    });

    await expect
      .poll(() => typesOf(inbox, conversationId), POLL)
      .toEqual(
        expect.arrayContaining([
          'message.received',
          'conversation.assigned',
          'message.sent',
          'conversation.status_changed',
        ]),
      );
    const ids = inbox.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids); // in bus order

    const history = await alice.http.messages.list.query({ conversationId, limit: 10 });
    // The satisfaction survey (a system message sent on resolution) may already be in the history too.
    expect(history.items.filter((m) => m.sender !== 'system').map((m) => m.direction)).toEqual([
      'outbound',
      'inbound',
    ]);
    const read = await alice.http.conversations.markRead.mutate({ conversationId });
    expect(read.unreadCount).toBe(0);
    const rated = await alice.http.conversations.recordSatisfaction.mutate({ conversationId, rating: 5 });
    expect(rated.customerSatisfaction?.rating).toBe(5);
    await inbox.stop();
  });

  it('a plain agent never receives the events of another agent’s conversation; transfers reach both', async () => {
    const aliceInbox = await follow(alice);
    const bobInbox = await follow(bob);
    const supervisorInbox = await follow(supervisor);
    const phone = nextPhone();
    const conversationId = (await receive(phone, 'primero')).conversation.id;

    await alice.http.conversations.assign.mutate({ conversationId, agentId: alice.id });
    await receive(phone, 'segundo');
    await alice.http.messages.send.mutate({ conversationId, message: { type: 'text', content: 'Claro' } });
    await alice.http.conversations.addNote.mutate({ conversationId, content: 'Cliente frecuente' });
    // A session revocation on the bus (bob logs out another session): nobody's inbox shows it.
    const bobAgain = await login(running.url, bob.email, bob.password);
    await bobAgain.http.auth.logout.mutate();
    await sync(aliceInbox, bobInbox, supervisorInbox);

    const alicesPrivate = (inbox: Inbox) =>
      of(inbox, conversationId).filter((e) => e.payload.assignedAgent === alice.id);
    expect(alicesPrivate(supervisorInbox).map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'conversation.assigned',
        'message.received',
        'message.sent',
        'conversation.updated',
      ]),
    );
    expect(alicesPrivate(aliceInbox).length).toBe(alicesPrivate(supervisorInbox).length);
    expect(alicesPrivate(bobInbox)).toEqual([]);
    expect(bobInbox.events.filter((e) => e.payload.assignedAgent === alice.id)).toEqual([]);
    // Bob did see the conversation while it sat in the queue.
    expect(of(bobInbox, conversationId).map((e) => [e.type, e.payload.assignedAgent])).toContainEqual([
      'message.received',
      undefined,
    ]);
    for (const inbox of [aliceInbox, bobInbox, supervisorInbox]) {
      expect(inbox.events.map((e) => e.type)).not.toContain(SESSIONS_REVOKED);
    }

    // The supervisor moves it to bob: bob (new agent) and alice (previous agent) both hear of it.
    const transferred = await supervisor.http.conversations.transfer.mutate({
      conversationId,
      toAgentId: bob.id,
      reason: 'cambio de turno',
    });
    expect(transferred.assignedAgent).toBe(bob.id);
    await expect.poll(() => typesOf(bobInbox, conversationId), POLL).toContain('conversation.transferred');
    await expect.poll(() => typesOf(aliceInbox, conversationId), POLL).toContain('conversation.transferred');

    // From now on the conversation is bob's: alice stops hearing about it.
    await receive(phone, 'tercero');
    await sync(aliceInbox, bobInbox);
    const afterTransfer = (inbox: Inbox) =>
      of(inbox, conversationId).filter(
        (e) => e.type === 'message.received' && e.payload.assignedAgent === bob.id,
      );
    expect(afterTransfer(bobInbox)).toHaveLength(1);
    expect(afterTransfer(aliceInbox)).toEqual([]);
    // And alice can no longer open it.
    expect((await trpcError(alice.http.conversations.get.query({ conversationId }))).data?.code).toBe(
      'FORBIDDEN',
    );

    for (const inbox of [aliceInbox, bobInbox, supervisorInbox]) await inbox.stop();
  });

  it('the subscription resumes after the websocket drops: every event arrives exactly once', async () => {
    const truth: PublishedEvent[] = [];
    const stopTruth = running.bus.subscribe((event) => truth.push(event));
    const inbox = await follow(admin);
    const subscribed = running.bus.subscriberCount;
    const phone = nextPhone();
    const conversationId = (await receive(phone, 'antes del corte')).conversation.id;
    await expect.poll(() => typesOf(inbox, conversationId), POLL).toContain('message.received');

    inbox.handle.hold(); // the reconnection waits until we say so
    inbox.handle.drop();
    // The server notices and ends the subscription (the generator unsubscribes from the bus).
    await expect.poll(() => running.bus.subscriberCount, POLL).toBe(subscribed - 1);
    await receive(phone, 'durante el corte 1');
    await alice.http.conversations.assign.mutate({ conversationId, agentId: alice.id });
    await receive(phone, 'durante el corte 2');
    inbox.handle.release();

    const received = () => of(inbox, conversationId).filter((e) => e.type === 'message.received').length;
    await expect.poll(received, POLL).toBe(3);
    await expect.poll(() => running.bus.subscriberCount, POLL).toBe(subscribed);
    await receive(phone, 'después del corte');
    await expect.poll(received, POLL).toBe(4);
    stopTruth();

    const adminView = { id: admin.id, seesEverything: true };
    const firstSeen = inbox.events[0]!.id;
    const expected = truth.filter((e) => e.id >= firstSeen && canSeeEvent(adminView, e)).map((e) => e.id);
    expect(inbox.events.map((e) => e.id)).toEqual(expected);
    expect(inbox.errors).toEqual([]);

    await inbox.stop();
    await expect.poll(() => running.bus.subscriberCount, POLL).toBe(subscribed - 1);
  });

  it('subscribing with an explicit lastEventId replays what was missed first', async () => {
    const phone = nextPhone();
    const first = await receive(phone, 'uno');
    const probe = await follow(supervisor);
    await receive(phone, 'dos');
    await expect.poll(() => typesOf(probe, first.conversation.id), POLL).toContain('message.received');
    const lastSeen = probe.events.at(-1)!.id;
    await probe.stop();

    await receive(phone, 'tres'); // missed
    const resumed = await follow(supervisor, lastSeen);
    await receive(phone, 'cuatro');
    await expect
      .poll(
        () => of(resumed, first.conversation.id).filter((e) => e.type === 'message.received').length,
        POLL,
      )
      .toBe(2);
    expect(resumed.events[0]!.id > lastSeen).toBe(true);
    await resumed.stop();
  });

  it('ticket flow: open from a conversation, work it, escalate to the supervisor, resolve, rate', async () => {
    const supervisorInbox = await follow(supervisor);
    const conversationId = (await receive(nextPhone(), 'El paquete llegó roto')).conversation.id;
    await alice.http.conversations.assign.mutate({ conversationId, agentId: alice.id });

    const ticket = await alice.http.tickets.create.mutate({
      conversationId,
      subject: '  Paquete dañado  ',
      description: 'El cliente recibió el paquete roto.',
      category: 'complaint',
      priority: 'high',
      tags: ['envíos'],
    });
    expect(ticket).toMatchObject({
      subject: 'Paquete dañado',
      status: 'open',
      conversationId,
      priority: 'high',
    });
    expect(ticket.ticketId).toMatch(/^TICKET-\d{4}-\d{6}$/);

    const working = await alice.http.tickets.changeStatus.mutate({
      ticketId: ticket.id,
      status: 'in_progress',
    });
    expect(working.status).toBe('in_progress');
    const noted = await alice.http.tickets.addNote.mutate({
      ticketId: ticket.id,
      content: 'Foto del paquete adjunta',
      attachments: ['https://files.example.com/paquete.jpg'],
    });
    expect(noted.notes.at(-1)).toMatchObject({
      content: 'Foto del paquete adjunta',
      attachments: ['https://files.example.com/paquete.jpg'],
      isInternal: true,
      agent: alice.id,
    });

    const escalated = await alice.http.tickets.escalate.mutate({
      ticketId: ticket.id,
      reason: 'Cliente pide reembolso',
      to: supervisor.id,
    });
    expect(escalated).toMatchObject({ escalated: true, escalatedTo: supervisor.id });
    await expect
      .poll(
        () => supervisorInbox.events.filter((e) => e.type === 'ticket.escalated').map((e) => e.payload.id),
        POLL,
      )
      .toContain(ticket.id);

    const byNumber = await supervisor.http.tickets.get.query({ ticketId: ticket.ticketId });
    expect(byNumber.id).toBe(ticket.id);
    const escalatedList = await supervisor.http.tickets.list.query({ escalated: true });
    expect(escalatedList.items.map((t) => t.id)).toContain(ticket.id);

    const resolved = await supervisor.http.tickets.resolve.mutate({
      ticketId: ticket.id,
      summary: 'Reembolso aprobado',
      steps: ['Verificar foto', 'Aprobar reembolso'],
      resolutionCategory: 'solved',
    });
    expect(resolved.status).toBe('resolved');
    expect(resolved.resolution).toMatchObject({ resolvedBy: supervisor.id, summary: 'Reembolso aprobado' });
    const rated = await supervisor.http.tickets.feedback.mutate({ ticketId: ticket.id, rating: 4 });
    expect(rated.customerFeedback?.rating).toBe(4);

    const trail = await supervisor.http.activity.byEntity.query({
      entityType: 'ticket',
      entityId: ticket.id,
    });
    expect(trail.items.map((a) => a.action)).toEqual(
      expect.arrayContaining(['created', 'escalated', 'resolved']),
    );
    const customer = await supervisor.http.customers.get.query({ customerId: ticket.customerId });
    expect(customer.tickets.map((t) => t.id)).toContain(ticket.id);
    await supervisorInbox.stop();
  });

  it('settings: anyone reads, only an admin writes, a bad value is BAD_REQUEST naming the field', async () => {
    const key = 'max_conversations_per_agent';
    expect((await alice.http.settings.get.query({ key })).value).toBe(10);
    expect((await alice.http.settings.list.query()).map((s) => s.key)).toContain(key);

    const refused = await trpcError(alice.http.settings.set.mutate({ key, value: 12 }));
    expect(refused.data?.code).toBe('FORBIDDEN');
    const bySupervisor = await trpcError(supervisor.http.settings.set.mutate({ key, value: 12 }));
    expect(bySupervisor.data?.code).toBe('FORBIDDEN');

    const changed = await admin.http.settings.set.mutate({ key, value: 12 });
    expect(changed).toMatchObject({ key, value: 12, isDefault: false, updatedBy: admin.id });
    expect((await alice.http.settings.get.query({ key })).value).toBe(12);

    const bad = await trpcError(admin.http.settings.set.mutate({ key, value: 'lots' }));
    expect(bad.data).toMatchObject({
      code: 'BAD_REQUEST',
      field: 'value',
      domainCode: 'SETTINGS.INVALID_VALUE',
    });
    expect(bad.message).toContain(key);
    const operator = await trpcError(
      admin.http.settings.set.mutate({ key: 'business_hours', value: { $where: 'sleep(1000)' } }),
    );
    expect(operator.data?.code).toBe('BAD_REQUEST');
    expect(operator.data?.zodIssues?.[0]?.path).toEqual(['value']);
    const unknown = await trpcError(admin.http.settings.get.query({ key: 'no_such_setting' }));
    expect(unknown.data?.code).toBe('NOT_FOUND');

    await admin.http.settings.set.mutate({ key, value: 10 });
  });

  it('messages.send: an idempotency key makes a retried send return the first message', async () => {
    const conversationId = (await receive(nextPhone())).conversation.id;
    await alice.http.conversations.assign.mutate({ conversationId, agentId: alice.id });
    const idempotencyKey = `retry-${Date.now()}`;
    const send = () =>
      alice.http.messages.send.mutate({
        conversationId,
        idempotencyKey,
        message: { type: 'text', content: 'Su reembolso está en camino' },
      });

    const first = await send();
    const again = await send();

    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ duplicate: true, message: { id: first.message.id } });
    const history = await alice.http.messages.list.query({ conversationId });
    expect(history.items.filter((m) => m.direction === 'outbound').map((m) => m.id)).toEqual([
      first.message.id,
    ]);
  });

  it('messages.send: templates, media by link, locations and interactive messages', async () => {
    const conversationId = (await receive(nextPhone())).conversation.id;
    await bob.http.conversations.assign.mutate({ conversationId, agentId: bob.id });
    const send = (message: Parameters<typeof bob.http.messages.send.mutate>[0]['message']) =>
      bob.http.messages.send.mutate({ conversationId, message }).then((r) => r.message);

    const template = await send({
      type: 'template',
      template: { name: 'order_update', language: 'es_MX', parameters: ['#1234'] },
    });
    expect(template).toMatchObject({
      type: 'template',
      template: { name: 'order_update', parameters: ['#1234'] },
    });
    const image = await send({
      type: 'image',
      attachments: [{ url: 'https://cdn.example.com/recibo.png' }],
      content: 'Su recibo',
    });
    expect(image).toMatchObject({
      type: 'image',
      content: 'Su recibo',
      attachments: [{ type: 'image', url: 'https://cdn.example.com/recibo.png' }],
    });
    const location = await send({
      type: 'location',
      location: { latitude: 19.43, longitude: -99.13, name: 'Tienda' },
    });
    expect(location.location).toMatchObject({ latitude: 19.43, longitude: -99.13 });
    const buttons = await send({
      type: 'interactive',
      interactive: {
        type: 'button',
        body: '¿Resolvimos su problema?',
        buttons: [{ id: 'yes', title: 'Sí' }],
      },
    });
    expect(buttons).toMatchObject({ type: 'interactive', interactive: { type: 'button' } });
    const list = await send({
      type: 'interactive',
      interactive: { type: 'list', body: 'Elija una opción', listItems: [{ id: 'a', title: 'Envíos' }] },
    });
    expect(list.interactive?.listItems).toHaveLength(1);

    const notALink = await trpcError(
      bob.http.messages.send.mutate({
        conversationId,
        message: { type: 'image', attachments: [{ url: 'javascript:alert(1)' }] },
      }),
    );
    expect(notALink.data?.code).toBe('BAD_REQUEST');
  });

  it('analytics: the supervisor sees the day’s figures; a plain agent may not', async () => {
    const to = new Date(Date.now() + 60_000);
    const from = new Date(to.getTime() - 86_400_000);
    const overview = await supervisor.http.analytics.overview.query({
      from: from.toISOString(),
      to: to.toISOString(),
    });
    expect(overview.conversations.created).toBeGreaterThanOrEqual(5);
    expect(overview.conversations.resolved).toBeGreaterThanOrEqual(1);
    expect(overview.tickets.escalated).toBeGreaterThanOrEqual(1);
    expect(overview.satisfaction.count).toBeGreaterThanOrEqual(1);

    const performance = await supervisor.http.analytics.agentPerformance.query({
      from: from.toISOString(),
      to: to.toISOString(),
      agentId: alice.id,
    });
    expect(performance.agents[0]?.conversations.resolved).toBeGreaterThanOrEqual(1);

    const forbidden = await trpcError(
      alice.http.analytics.overview.query({ from: from.toISOString(), to: to.toISOString() }),
    );
    expect(forbidden.data?.code).toBe('FORBIDDEN');
    const reversed = await trpcError(
      supervisor.http.analytics.overview.query({ from: to.toISOString(), to: from.toISOString() }),
    );
    expect(reversed.data?.code).toBe('BAD_REQUEST');
    expect(reversed.data?.zodIssues?.[0]?.path).toEqual(['to']);
  });
});
