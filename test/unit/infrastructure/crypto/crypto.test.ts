import { describe, expect, it } from 'vitest';
import { Argon2PasswordHasher } from '../../../../src/infrastructure/crypto/argon2-password-hasher.js';
import { ObjectIdGenerator } from '../../../../src/infrastructure/crypto/object-id-generator.js';
import {
  generateStrongPassword,
  generateToken,
  hashToken,
} from '../../../../src/infrastructure/crypto/token.js';

describe('Argon2PasswordHasher', () => {
  const hasher = new Argon2PasswordHasher();

  it('hashes with argon2id at 19 MiB, t=2, p=1 and verifies', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(hasher.verify(hash, 'correct horse battery staple')).resolves.toBe(true);
    await expect(hasher.verify(hash, 'Correct horse battery staple')).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hasher.hash('same password here')).not.toBe(await hasher.hash('same password here'));
  });

  it('answers false, never throws, for a malformed hash', async () => {
    for (const bad of ['', 'plain', '$argon2id$broken', '$2b$10$abcdefghijklmnopqrstuv']) {
      await expect(hasher.verify(bad, 'whatever')).resolves.toBe(false);
    }
  });
});

describe('session tokens', () => {
  it('are 32 random bytes in base64url, different every time', () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(generateToken()).not.toBe(a);
  });

  it('are stored as their sha-256 hex digest', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('generateStrongPassword', () => {
  it('gives 24 unambiguous characters, different every time', () => {
    const p = generateStrongPassword();
    expect(p).toMatch(/^[A-HJ-NP-Za-km-z2-9]{24}$/);
    expect(generateStrongPassword()).not.toBe(p);
  });
});

describe('ObjectIdGenerator', () => {
  it('gives 24-hex ids that sort in creation order', () => {
    const ids = new ObjectIdGenerator();
    const list = Array.from({ length: 1000 }, () => ids.next());
    for (const id of list) expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect([...list].sort()).toEqual(list);
    expect(new Set(list).size).toBe(list.length);
  });
});
