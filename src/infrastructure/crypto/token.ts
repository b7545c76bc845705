import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { PasswordGenerator, TokenService } from '../../application/ports/auth.js';

/** A random opaque session token: 32 bytes (256 bits), base64url, 43 characters. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored in place of a token: its SHA-256, hex. A slow hash is unnecessary for 256-bit random input. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class OpaqueTokenService implements TokenService {
  generate(): string {
    return generateToken();
  }

  hash(token: string): string {
    return hashToken(token);
  }
}

// No look-alikes (0/O, 1/l/I) so a printed password can be typed back.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** 24 characters from a 57-symbol alphabet: about 140 bits of entropy, unbiased (randomInt). */
export function generateStrongPassword(length = 24): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

export class RandomPasswordGenerator implements PasswordGenerator {
  generate(): string {
    return generateStrongPassword();
  }
}
