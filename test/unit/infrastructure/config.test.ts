import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/infrastructure/config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.lines;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('starts with no configuration at all: in-memory, sandbox, AI off', () => {
    const config = loadConfig({});
    expect(config.http).toMatchObject({ port: 3000, host: '127.0.0.1', trustProxy: false });
    expect(config.mongo).toBeUndefined();
    expect(config.redis).toBeUndefined();
    expect(config.openai).toBeUndefined();
    expect(config.whatsapp).toMatchObject({ apiVersion: 'v23.0', graphUrl: 'https://graph.facebook.com' });
    expect(config.logLevel).toBe('info');
    expect(config.auth.sessionTtlHours).toBe(12);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ OPENAI_API_KEY: '', PORT: ' ' }).openai).toBeUndefined();
  });

  it('takes the database name from MONGODB_DB, else the URI path, else whatsapp_crm', () => {
    expect(loadConfig({ MONGODB_URI: 'mongodb://h:27017/crm?replicaSet=rs0' }).mongo).toEqual({
      uri: 'mongodb://h:27017/crm?replicaSet=rs0',
      dbName: 'crm',
    });
    expect(loadConfig({ MONGODB_URI: 'mongodb://h:27017/' }).mongo?.dbName).toBe('whatsapp_crm');
    expect(loadConfig({ MONGODB_URI: 'mongodb://h/crm', MONGODB_DB: 'other' }).mongo?.dbName).toBe('other');
  });

  it('reports one line per bad variable, all at once', () => {
    const lines = problems({
      PORT: '70000',
      LOG_LEVEL: 'loud',
      MONGODB_URI: 'http://nope',
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: 'short',
      SESSION_TTL_HOURS: '0',
      WHATSAPP_API_VERSION: '23',
    });
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual([
      'ADMIN_PASSWORD',
      'LOG_LEVEL',
      'MONGODB_URI',
      'PORT',
      'SESSION_TTL_HOURS',
      'WHATSAPP_API_VERSION',
    ]);
    expect(lines.find((l) => l.startsWith('PORT'))).toBe(
      'PORT: must be an integer between 0 and 65535 (got "70000")',
    );
  });

  it('never echoes secret values', () => {
    const lines = problems({
      ADMIN_EMAIL: 'a@example.com',
      ADMIN_PASSWORD: 'hunter2',
      MONGODB_URI: 'postgres://u:pw@h',
    });
    expect(lines.join('\n')).not.toMatch(/hunter2|pw@h/);
  });

  it('checks variables that go together', () => {
    expect(problems({ WHATSAPP_ACCESS_TOKEN: 'EAAB' })).toEqual([
      'WHATSAPP_PHONE_NUMBER_ID: is required when WHATSAPP_ACCESS_TOKEN is set',
    ]);
    expect(problems({ ADMIN_PASSWORD: 'a long enough password' })).toEqual([
      'ADMIN_EMAIL: is required when ADMIN_PASSWORD is set',
    ]);
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'MONGODB_URI: is required when NODE_ENV=production (in-memory data would be lost on restart)',
    ]);
  });

  it('parses TRUST_PROXY as a boolean, a hop count or a list', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).http.trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
  });
});
