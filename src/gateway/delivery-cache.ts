/**
 * A bounded LRU of delivered documents (cut to the permit, translated, Provenance added, signed by
 * the gateway), so a document read again under the same consent does not pay translation and an
 * RSA signature on every request (issue 10: "translated documents per consent and language").
 *
 * Key: consent id + consent VERSION, document id + VERSION, target language, emergency flag and a
 * SHA-256 of the permit's canonical JSON (RFC 8785). Why this is safe:
 * - the caller re-reads the live consent and decides BEFORE it asks the cache (consent-read.ts,
 *   shl.ts): a withdrawn or expired consent is refused first, whatever is cached (PIPL art. 15);
 * - any change of the consent makes a new version (store: saveVersion), a changed document a new
 *   version, so a changed consent or document can never be served a stale delivery;
 * - the permit is in the key, so two decisions that cut the document differently never share.
 * Entries also expire after `maxAgeMs` (the delivered Provenance.recorded and Signature.when are
 * those of the first delivery; the cache keeps them from growing old).
 *
 * Invariants: bounded by entry count and by approximate size (UTF-16 length of the JSON); a
 * delivery in progress is shared by concurrent requests for the same key (one translation and one
 * signature), and a failed one is forgotten (never cached); cached Bundles are deep-frozen, so a
 * caller cannot alter what the next one is served, and their JSON text (`deliveredJson`) is made
 * once and sent as is.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../fhir/canonical.js';
import { deepFreeze } from '../fhir/freeze.js';
import type { Bundle } from '../fhir/types.js';
import type { Permit } from '../consent/index.js';
import type { TargetLanguage } from './consent-deps.js';

export interface DeliveryKey {
  consentId: string;
  consentVersion: number;
  documentId: string;
  documentVersion: number;
  target: TargetLanguage;
  emergency: boolean;
  permit: Permit;
}

export interface DeliveryCacheOptions {
  maxEntries?: number;
  /** Approximate budget in JSON characters of the delivered documents. */
  maxChars?: number;
  maxAgeMs?: number;
  now: () => number;
}

export interface DeliveryCache {
  /** The delivery for `key`, produced by `produce` at most once while it is cached. */
  get(key: DeliveryKey, produce: () => Promise<Bundle>): Promise<Bundle>;
  stats(): { hits: number; misses: number; entries: number; chars: number };
  clear(): void;
}

interface Entry {
  value: Promise<Bundle>;
  at: number;
  chars: number;
}

/** JSON text of each delivered (frozen) Bundle, serialised once when it was produced. */
const jsonText = new WeakMap<object, string>();

/**
 * The JSON text of a Bundle this cache delivered (identical to JSON.stringify of it: the Bundle
 * is deep-frozen), so a response sends it without serialising ~the document again per request;
 * undefined for any other object.
 */
export function deliveredJson(bundle: object): string | undefined {
  return jsonText.get(bundle);
}

export function deliveryKeyString(k: DeliveryKey): string {
  const permit = createHash('sha256').update(canonicalJson(k.permit)).digest('base64url');
  return [k.consentId, k.consentVersion, k.documentId, k.documentVersion, k.target, k.emergency ? 'E' : '-', permit].join('\u0000');
}

export function createDeliveryCache(opts: DeliveryCacheOptions): DeliveryCache {
  const maxEntries = opts.maxEntries ?? 1000;
  const maxChars = opts.maxChars ?? 32 * 1024 * 1024;
  const maxAgeMs = opts.maxAgeMs ?? 10 * 60_000;
  const entries = new Map<string, Entry>();
  let chars = 0;
  let hits = 0;
  let misses = 0;

  const drop = (key: string, e: Entry) => {
    if (entries.get(key) === e) {
      entries.delete(key);
      chars -= e.chars;
    }
  };
  const evict = () => {
    for (const [k, e] of entries) {
      if (entries.size <= maxEntries && chars <= maxChars) return;
      drop(k, e); // Map order = least recently used first
    }
  };

  return {
    get(key, produce) {
      const k = deliveryKeyString(key);
      const t = opts.now();
      const hit = entries.get(k);
      if (hit && t - hit.at < maxAgeMs && t >= hit.at) {
        entries.delete(k); // move to the most recently used end
        entries.set(k, hit);
        hits++;
        return hit.value;
      }
      if (hit) drop(k, hit);
      misses++;
      const entry = { at: t, chars: 0 } as Entry;
      entry.value = produce().then(
        (bundle) => {
          const text = JSON.stringify(bundle);
          if (entries.get(k) === entry) {
            entry.chars = text.length;
            chars += entry.chars;
            evict();
          }
          deepFreeze(bundle);
          jsonText.set(bundle, text); // frozen: the text stays exactly this Bundle's JSON
          return bundle;
        },
        (e: unknown) => {
          drop(k, entry);
          throw e;
        },
      );
      entries.set(k, entry);
      evict();
      return entry.value;
    },
    stats: () => ({ hits, misses, entries: entries.size, chars }),
    clear() {
      entries.clear();
      chars = 0;
    },
  };
}

const shared = new WeakMap<object, DeliveryCache>();

/** One cache per deliver function (so every use case built from the same deps shares it). */
export function deliveryCacheFor(owner: object, now: () => number): DeliveryCache {
  let c = shared.get(owner);
  if (!c) shared.set(owner, (c = createDeliveryCache({ now })));
  return c;
}
