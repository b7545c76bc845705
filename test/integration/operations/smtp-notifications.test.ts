/** Agent notifications by e-mail through a real SMTP conversation with a local server the test starts. */
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ports } from '../../../src/application/ports/ports.js';
import type { UseCases } from '../../../src/application/use-cases.js';
import { loadConfig, testConfig } from '../../../src/infrastructure/config.js';
import { type App, buildApp } from '../../../src/infrastructure/container.js';
import { SmtpMailer } from '../../../src/infrastructure/mail/smtp-mailer.js';
import type { OperationsWorkers } from '../../../src/infrastructure/operations/operations-workers.js';
import { TOKENS } from '../../../src/infrastructure/tokens.js';
import { fakeHasher, seedAgent } from '../../support/test-ports.js';
import { seedConversation, seedCustomer } from '../../support/test-seeds.js';

interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
  user?: string;
}

describe('e-mail notifications over SMTP', () => {
  let server: SMTPServer;
  let port: number;
  const inbox: ReceivedMail[] = [];

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onAuth(auth, _session, callback) {
        if (auth.username === 'crm' && auth.password === 's3cret') callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => {
          data += chunk.toString('utf8');
        });
        stream.on('end', () => {
          inbox.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data,
            ...(typeof session.user === 'string' ? { user: session.user } : {}),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('SmtpMailer delivers a message with credentials from SMTP_URL', async () => {
    const mailer = new SmtpMailer({
      url: `smtp://crm:s3cret@127.0.0.1:${port}/?tls=off`,
      from: 'CRM <crm@example.com>',
    });
    try {
      await mailer.send({ to: 'ana@example.com', subject: 'Hola', text: 'Cuerpo del mensaje' });
    } finally {
      mailer.close();
    }
    const mail = inbox.at(-1)!;
    expect(mail).toMatchObject({ from: 'crm@example.com', to: ['ana@example.com'], user: 'crm' });
    expect(mail.data).toContain('Subject: Hola');
    expect(mail.data).toContain('Cuerpo del mensaje');
  });

  it('rejects when the server refuses the credentials', async () => {
    const mailer = new SmtpMailer({
      url: `smtp://crm:wrong@127.0.0.1:${port}/?tls=off`,
      from: 'crm@example.com',
      timeoutMs: 3_000,
    });
    try {
      await expect(mailer.send({ to: 'ana@example.com', subject: 'x', text: 'y' })).rejects.toThrow();
    } finally {
      mailer.close();
    }
  });

  it('SMTP_URL needs SMTP_FROM, and both configure the mailer', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', SMTP_URL: 'smtp://h:25' })).toThrow(/SMTP_FROM: is required/);
    expect(() => loadConfig({ NODE_ENV: 'test', SMTP_URL: 'http://h', SMTP_FROM: 'a@b.co' })).toThrow(
      /SMTP_URL: must be an? SMTP URL/,
    );
    expect(testConfig({ SMTP_URL: 'smtp://u:p@h:587', SMTP_FROM: 'CRM <crm@example.com>' }).smtp).toEqual({
      url: 'smtp://u:p@h:587',
      from: 'CRM <crm@example.com>',
    });
  });

  describe('through the app', () => {
    let app: App;

    beforeAll(async () => {
      const config = testConfig({
        SMTP_URL: `smtp://crm:s3cret@127.0.0.1:${port}/?tls=off`,
        SMTP_FROM: 'CRM <crm@example.com>',
      });
      app = await buildApp(config, {
        logger: pino({ level: 'silent' }),
        overrides: { PasswordHasher: fakeHasher },
        operations: {
          slaIntervalMs: 3_600_000,
          autoResolveIntervalMs: 3_600_000,
          archiveCheckIntervalMs: 3_600_000,
        },
      });
      await app.start();
    });
    afterAll(async () => {
      await app?.stop();
    });

    it('e-mails an agent a conversation was assigned to, and only sends the live event to one who turned e-mail off', async () => {
      const ports = app.container.resolve<Ports>(TOKENS.Ports);
      const useCases = app.container.resolve<UseCases>(TOKENS.UseCases);
      const workers = app.container.resolve<OperationsWorkers>(TOKENS.OperationsWorkers);
      const admin = await seedAgent(ports, 'admin');
      const ana = await seedAgent(ports, 'agent', { firstName: 'Ana', email: 'ana.assign@example.com' });
      const ben = await seedAgent(ports, 'agent', { firstName: 'Ben', email: 'ben.assign@example.com' });
      await ports.agents.update({
        ...ben.record,
        preferences: { ...ben.record.preferences, notifications: { email: false, push: true, sound: true } },
      });
      const customer = await seedCustomer(ports);
      const live: unknown[] = [];
      ports.events.subscribe((e) => {
        if (e.type === 'notification') live.push(e.payload);
      });

      for (const agent of [ana, ben]) {
        const conversation = await seedConversation(ports, customer.id);
        await useCases.conversations.assign.execute({
          actor: admin.actor,
          conversationId: conversation.id,
          agentId: agent.record.id,
        });
      }
      await workers.reactions.idle();

      expect(live).toEqual([
        expect.objectContaining({ recipientAgentId: ana.record.id, kind: 'assignment' }),
        expect.objectContaining({ recipientAgentId: ben.record.id, kind: 'assignment' }),
      ]);
      const mails = inbox.filter((m) => m.to.some((to) => to.endsWith('.assign@example.com')));
      expect(mails.map((m) => m.to)).toEqual([['ana.assign@example.com']]);
      expect(mails[0]?.data).toContain('New conversation assigned to you');
    });
  });
});
