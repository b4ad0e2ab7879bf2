/**
 * Link ids, SHL keys, management and invitation secrets, and how they are stored.
 *
 * Invariants (ARCHITECTURE.md habit 6): secrets come from the injected randomBytes (tests are
 * deterministic, production passes crypto.randomBytes); each carries 256 bits (SHL: manifest URL
 * "SHALL include at least 256 bits of entropy", key = 32 random bytes base64url → 43 chars); only
 * hashes are stored — SHA-256 suffices for a 256-bit random secret, while low-entropy passcodes
 * get scrypt with a per-passcode salt; every comparison is constant-time (crypto.timingSafeEqual).
 */
import { createHash, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';

export type RandomBytes = (size: number) => Uint8Array;

/** 43-character base64url string of 32 random bytes. */
export function newSecret(randomBytes: RandomBytes): string {
  const bytes = randomBytes(32);
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) throw new TypeError('randomBytes(32) must return 32 bytes');
  return Buffer.from(bytes).toString('base64url');
}

/** Hex SHA-256 of a high-entropy secret (what the store keeps and looks up by). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time equality of two strings (compared as SHA-256 digests, so lengths never leak). */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/** True when `secret` hashes to `storedHash` (constant time). */
export function verifySecret(secret: string, storedHash: string): boolean {
  return constantTimeEqual(hashSecret(secret), storedHash);
}

// scrypt parameters: N=2^14, r=8, p=1 (RFC 7914 §2's interactive-login guidance), 32-byte key.
const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

function scrypt(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFKC'), salt, KEYLEN, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64url parts) for a passcode. */
export async function hashPasscode(passcode: string, randomBytes: RandomBytes): Promise<string> {
  const salt = Buffer.from(randomBytes(16));
  const key = await scrypt(passcode, salt, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Checks a passcode against its stored scrypt hash in constant time; a malformed hash never matches. */
export async function verifyPasscode(passcode: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0) || n > 1 << 20) return false;
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length !== KEYLEN) return false;
  const key = await scrypt(typeof passcode === 'string' ? passcode : '', Buffer.from(parts[4]!, 'base64url'), n, r, p);
  return timingSafeEqual(key, expected);
}
