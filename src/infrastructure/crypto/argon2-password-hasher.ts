import argon2 from 'argon2';
import type { PasswordHasher } from '../../application/ports/gateways.js';

/** OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane (about 25-50 ms per hash here). */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export class Argon2PasswordHasher implements PasswordHasher {
  constructor(
    private readonly options: { memoryCost: number; timeCost: number; parallelism: number } = ARGON2_OPTIONS,
  ) {}

  hash(password: string): Promise<string> {
    return argon2.hash(password, { ...this.options, type: argon2.argon2id });
  }

  /** False for a wrong password and for anything that is not a valid argon2 hash; never throws. */
  async verify(hash: string, password: string): Promise<boolean> {
    if (typeof hash !== 'string' || !hash.startsWith('$argon2')) return false;
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }
}
