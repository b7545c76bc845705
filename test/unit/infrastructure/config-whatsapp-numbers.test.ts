import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/infrastructure/config.js';

const linesOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.lines;
    throw error;
  }
  return [];
};

describe('WHATSAPP_NUMBERS (several business numbers, a token each)', () => {
  it('is read as a list of { phoneNumberId, accessToken }', () => {
    const config = loadConfig({
      WHATSAPP_NUMBERS:
        '[{"phoneNumberId":"111","accessToken":"t1"},{"phoneNumberId":"222","accessToken":"t2"}]',
    });
    expect(config.whatsapp.numbers).toEqual([
      { phoneNumberId: '111', accessToken: 't1' },
      { phoneNumberId: '222', accessToken: 't2' },
    ]);
  });

  it('may name the default number without its own WHATSAPP_ACCESS_TOKEN (its token is in the list)', () => {
    const config = loadConfig({
      WHATSAPP_PHONE_NUMBER_ID: '111',
      WHATSAPP_NUMBERS: '[{"phoneNumberId":"111","accessToken":"t1"}]',
    });
    expect(config.whatsapp.phoneNumberId).toBe('111');
  });

  it('refuses bad values with one line that never echoes the tokens', () => {
    for (const bad of [
      'not json',
      '[]',
      '{"phoneNumberId":"1","accessToken":"secret-token"}',
      '[{"phoneNumberId":"abc","accessToken":"secret-token"}]',
      '[{"phoneNumberId":"1","accessToken":""}]',
    ]) {
      const lines = linesOf({ WHATSAPP_NUMBERS: bad });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^WHATSAPP_NUMBERS: must be a JSON list/);
      expect(lines[0]).not.toContain('secret-token');
    }
    expect(
      linesOf({
        WHATSAPP_NUMBERS: '[{"phoneNumberId":"1","accessToken":"a"},{"phoneNumberId":"1","accessToken":"b"}]',
      }),
    ).toEqual(['WHATSAPP_NUMBERS: lists a phoneNumberId twice']);
  });
});
