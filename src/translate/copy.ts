/**
 * The copy of the source Bundle that the translation works on, translated while it is made
 * (document.ts): coded concepts (codings.ts), printed units (units.ts) and zone-less date-times of
 * a Chinese source (dates.ts) are handled at their node, with the node's FHIRPath in the report.
 *
 * Invariants: the source is never mutated; the copy has the same keys in the same order; every
 * object and array of the source is a new one in the copy (the later stages mutate the copy), a
 * narrative (`text` with a `div`) is copied one level deep (narratives are replaced, not edited).
 */
import { translateConcept, type CodingCtx } from './codings.js';
import { withChinaZone, needsZone } from './dates.js';
import { pathOf, type Report } from './report.js';
import { normaliseQuantity } from './units.js';

type Obj = Record<string, unknown>;
const isNarrative = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Obj).div === 'string';

export interface Walk {
  coding: CodingCtx;
  report: Report;
  zone: boolean;
  /**
   * The FHIRPath of the element being copied, as a stack of segments (property names; numbers
   * are array indexes). Issue 10: building the path string of every node cost a quarter of a
   * zh→en translation; it is now joined only for the few nodes that get a report entry.
   */
  segs: (string | number)[];
}


/** A string as copied: a zone-less date-time of a Chinese source gains +08:00 (dates.ts). */
function copyString(v: string, w: Walk): string {
  if (w.zone && v.length >= 16 && v.length <= 29 && needsZone(v)) {
    w.report.stats.datesZoned++;
    w.report.info('china-time-zone', `No time zone: ${v} taken as China Standard Time (+08:00)`, pathOf(w.segs));
    return withChinaZone(v);
  }
  return v;
}

/**
 * Copies `v` (the element at w.segs) while translating it. Objects are first cloned with spread
 * (same keys, same order, primitives as they are — V8 copies the shape at once), then only the
 * object-valued members and the strings that may need a zone are replaced by their copies.
 */
export function copy(v: unknown, w: Walk, key: string): unknown {
  if (typeof v === 'string') return copyString(v, w);
  if (typeof v !== 'object' || v === null) return v;
  const segs = w.segs;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === 'object' && x !== null) {
        segs.push(i);
        out[i] = copy(x, w, key);
        segs.pop();
      } else if (typeof x === 'string' && w.zone) {
        segs.push(i);
        out[i] = copyString(x, w);
        segs.pop();
      } else out[i] = x;
    }
    return out;
  }
  const src = v as Obj;
  const o: Obj = { ...src };
  // What the node is, noted while its keys go by (a key compare is a pointer compare), rather
  // than read back by name from objects of hundreds of shapes.
  let coding = false;
  let value = false;
  for (const k in o) {
    const x = o[k];
    if (typeof x === 'object' && x !== null) {
      if (k === 'text' && isNarrative(x)) o[k] = { ...x };
      else {
        segs.push(k);
        o[k] = copy(x, w, k);
        segs.pop();
        if (k === 'coding') coding = Array.isArray(x);
      }
    } else if (typeof x === 'string') {
      if (w.zone && x.length >= 16) {
        segs.push(k);
        o[k] = copyString(x, w);
        segs.pop();
      }
    } else if (k === 'value') value = typeof x === 'number';
  }
  if (coding || key === 'medicationCodeableConcept') {
    translateConcept(o, segs, w.coding, key === 'medicationCodeableConcept' ? 'medication' : undefined);
  } else if (value && (typeof o.unit === 'string' || typeof o.code === 'string')) {
    const r = normaliseQuantity(o);
    if (r === 'coded') {
      w.report.stats.quantitiesCoded++;
      w.report.info('ucum-unit', `Printed unit '${String(o.unit)}' coded as UCUM '${String(o.code)}'`, pathOf(segs));
    } else if (r === 'unknown-unit' || r === 'invalid-ucum') w.report.warn('unit-unknown', `Unit '${String(o.unit ?? o.code)}' is not UCUM`, pathOf(segs), 'code-invalid');
  }
  return o;
}
