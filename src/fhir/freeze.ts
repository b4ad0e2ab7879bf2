/**
 * Deep freezing of JSON-like values that several requests share (the delivery cache, the embedded
 * store's read cache, consent views): once frozen, no request can change what another one reads.
 *
 * Invariant: an object already frozen is taken as deeply frozen and not walked again (this also
 * ends the walk on shared or cyclic references).
 */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}
