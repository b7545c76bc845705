/** The app on MongoDB (FerretDB in the default test run): adapters chosen from MONGODB_URI, /readyz pings it. */
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { MongoClient } from 'mongodb';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EnsureFirstAdmin } from '../../../src/application/auth/ensure-first-admin.js';
import { testConfig } from '../../../src/infrastructure/config.js';
import { type App, buildApp } from '../../../src/infrastructure/container.js';
import type { MongoConnection } from '../../../src/infrastructure/mongo/mongo-client.js';
import { TOKENS } from '../../../src/infrastructure/tokens.js';
import { createServer, type Server } from '../../../src/interfaces/http/server.js';
import type { AppRouter } from '../../../src/interfaces/trpc/app-router.js';
import { connectTestDb, type TestDb } from '../../support/mongo.js';

const ADMIN = { email: 'admin@example.com', password: 'admin password 1234' };

describe('HTTP server on MongoDB', () => {
  let t: TestDb;
  let app: App;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    t = await connectTestDb(); // a unique database, dropped afterwards
    const config = testConfig({ MONGODB_URI: inject('mongoUri'), MONGODB_DB: t.db.databaseName });
    app = await buildApp(config, { logger: pino({ level: 'silent' }) });
    await app.container.resolve<EnsureFirstAdmin>(TOKENS.EnsureFirstAdmin).execute(ADMIN);
    server = await createServer(app);
    await app.start();
    url = (await server.listen()).url;
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('uses the MongoDB adapters and persists sessions there', async () => {
    expect(app.adapters.data).toBe(inject('mongoServer') === 'ferretdb' ? 'ferretdb' : 'mongodb');
    let token: string | undefined;
    const client = createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url: `${url}/trpc`,
          headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
        }),
      ],
    });
    token = (await client.auth.login.mutate(ADMIN)).token;
    await expect(client.auth.me.query()).resolves.toHaveProperty('agent.email', ADMIN.email);
    expect(await t.db.collection('sessions').countDocuments()).toBe(1);
    expect(await t.db.collection('agents').countDocuments({ email: ADMIN.email })).toBe(1);
  });

  it('/readyz is 200 while the database answers and 503 when it does not', async () => {
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    const mongo = app.container.resolve<MongoConnection>(TOKENS.MongoConnection);
    // Simulate an outage: every command fails from now on.
    const original = mongo.db.command.bind(mongo.db);
    mongo.db.command = (async () => {
      throw new Error('server selection timed out');
    }) as unknown as typeof mongo.db.command;
    try {
      const res = await fetch(`${url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', data: app.adapters.data });
    } finally {
      mongo.db.command = original;
    }
  });

  it('stop() closes the MongoDB client', async () => {
    const client: MongoClient = app.container.resolve<MongoConnection>(TOKENS.MongoConnection).client;
    let closed = false;
    client.once('topologyClosed', () => {
      closed = true;
    });
    await server.close();
    expect(closed).toBe(true);
  });
});
