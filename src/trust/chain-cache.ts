/**
 * Memoised certificate work of the trust stage, so a signature or client assertion does not pay
 * node-forge parsing and RSA link checks in JavaScript on every request: parsed `x5c` chains,
 * public keys of parsed certificates, the key ↔ certificate match of a signer, and chain
 * validation results.
 *
 * Invariants:
 * - Only successes are cached; a failure is recomputed (and reported) every time.
 * - A validation result is cached per trust-list INSTANCE (the list is immutable: a change of
 *   anchors or revocations is a new instance, so it never sees an old result) and per presented
 *   chain, and is reused only for instants in [validated at, min(earliest notAfter on the path,
 *   validated at + 5 minutes)] — RFC 5280 §6.1.3 (a)(2) validity is thus still honoured, and a
 *   clock that goes back re-validates.
 * - Bounded: at most MAX_ENTRIES chains per map (oldest dropped first); the weak maps are keyed
 *   by objects the caller owns and vanish with them.
 */
import crypto from 'node:crypto';
import type { TrustList } from './trust-list.js';
import { parseX5c, publicKeyOf, type ChainResult, type ParsedCertificate } from './x509.js';

const MAX_AGE_MS = 5 * 60_000;
const MAX_ENTRIES = 512;

interface Validated {
  result: ChainResult;
  from: number;
  until: number;
}

const validations = new WeakMap<TrustList, Map<string, Validated>>();
const parsedX5c = new Map<string, readonly ParsedCertificate[]>();
const publicKeys = new WeakMap<ParsedCertificate, crypto.KeyObject>();
const matchedKeys = new WeakMap<crypto.KeyObject, WeakSet<ParsedCertificate>>();
const pemKeys = new Map<string, crypto.KeyObject>();

function remember<V>(map: Map<string, V>, key: string, value: V): V {
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as string);
  map.set(key, value);
  return value;
}

/** `trust.validate(chain, at)`, reusing an earlier success of the same trust list (see invariants). */
export function validateChainCached(trust: TrustList, chain: readonly ParsedCertificate[], at: Date): ChainResult {
  let byChain = validations.get(trust);
  if (!byChain) validations.set(trust, (byChain = new Map()));
  const key = chain.map((c) => c.info.fingerprint).join(',');
  const t = at.getTime();
  const hit = byChain.get(key);
  if (hit && t >= hit.from && t <= hit.until) return hit.result;
  const result = trust.validate(chain, at);
  const notAfter = Math.min(...result.path.map((c) => c.notAfter.getTime()));
  const frozen = Object.freeze({ ...result, path: Object.freeze([...result.path]) }) as ChainResult;
  remember(byChain, key, { result: frozen, from: t, until: Math.min(notAfter, t + MAX_AGE_MS) });
  return frozen;
}

/** parseX5c with the parsed (immutable) chain reused for the same certificates. */
export function parseX5cCached(x5c: unknown): readonly ParsedCertificate[] {
  const key = Array.isArray(x5c) && x5c.every((c) => typeof c === 'string') ? x5c.join('.') : undefined;
  const hit = key === undefined ? undefined : parsedX5c.get(key);
  if (hit) return hit;
  const chain = Object.freeze(parseX5c(x5c));
  return key === undefined ? chain : remember(parsedX5c, key, chain);
}

/** The certificate's public key (one KeyObject per parsed certificate). */
export function publicKeyCached(cert: ParsedCertificate): crypto.KeyObject {
  let k = publicKeys.get(cert);
  if (!k) publicKeys.set(cert, (k = publicKeyOf(cert)));
  return k;
}

/** A PEM private key as a KeyObject, parsed once per PEM text. */
export function privateKeyCached(pem: string): crypto.KeyObject {
  return pemKeys.get(pem) ?? remember(pemKeys, pem, crypto.createPrivateKey(pem));
}

/** True when `key` is the private key of `cert` (SPKI compared once per pair, then remembered). */
export function keyMatchesCertificate(key: crypto.KeyObject, cert: ParsedCertificate): boolean {
  const known = matchedKeys.get(key);
  if (known?.has(cert)) return true;
  const spki = (k: crypto.KeyObject) => k.export({ type: 'spki', format: 'der' });
  if (!spki(crypto.createPublicKey(key)).equals(spki(publicKeyCached(cert)))) return false;
  if (known) known.add(cert);
  else matchedKeys.set(key, new WeakSet([cert]));
  return true;
}
