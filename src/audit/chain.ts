/**
 * The audit hash chain: each entry's hash covers the previous entry's hash and the RFC 8785
 * canonical form of the entry (the one canonicaliser of src/fhir/canonical.ts, shared with
 * document signing), so changing, removing, inserting or moving an entry breaks the chain.
 *
 * Exact byte layout hashed (SHA-256, lower-case hex result):
 *
 *     ASCII(prevHash)  ||  UTF-8(canonicalJson({ "event": <AuditEvent>, "seq": <integer> }))
 *
 * prevHash is the 64 hex characters of the previous entry's hash, or 64 "0" (GENESIS_HASH) for
 * entry 1; nothing separates the two parts (prevHash has a fixed length). The AuditEvent carries
 * `id` = String(seq) and its own `recorded`, so the time and the position are both covered.
 *
 * Invariants: entry seq n+1 follows n with no gap, starting at 1; `verifyChain` reads records
 * once, in order, keeping O(1) state (the last two hashes), and stops at the first break. When a
 * record carries its stored canonical text, that text is hashed as is (no re-serialising: stored
 * bytes that are not the canonical form are a modification) and the event is only parsed to
 * classify a break.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../fhir/canonical.js';
import type { Resource } from '../fhir/types.js';
import type { AuditCheckpoint, AuditRecord, ChainHead } from '../store/ports.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainEntry {
  seq: number;
  event: Resource;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The same hash from the event's canonical JSON text: RFC 8785 orders the two members "event",
 * "seq", and an integer serialises as its decimal digits, so canonicalJson({ event, seq }) is
 * exactly `{"event":` + canonicalJson(event) + `,"seq":` + seq + `}`.
 */
export function chainHashCanonical(prevHash: string, seq: number, canonicalEvent: string): string {
  if (!HEX64.test(prevHash)) throw new TypeError('prevHash must be 64 lower-case hex characters');
  if (!Number.isSafeInteger(seq) || seq < 1) throw new TypeError('seq must be a positive integer');
  return createHash('sha256').update(prevHash, 'latin1').update(`{"event":${canonicalEvent},"seq":${seq}}`, 'utf8').digest('hex');
}

/** SHA-256 hex of prevHash followed by the canonical JSON of { event, seq }. */
export function chainHash(prevHash: string, entry: ChainEntry): string {
  return chainHashCanonical(prevHash, entry.seq, canonicalJson(entry.event));
}

export interface ChainLinkResult {
  event: Resource;
  hash: string;
  recorded: string;
  /** canonicalJson(event): the text the store keeps. */
  canonical: string;
}

/**
 * The `build` callback for AuditLog.appendChained: given the head read under the append lock,
 * numbers the event (id = seq) and hashes it onto the chain.
 */
export function chainLink(event: Resource): (head: ChainHead | null) => ChainLinkResult {
  if (typeof event.recorded !== 'string') throw new TypeError('AuditEvent.recorded is required');
  return (head) => {
    const seq = (head?.seq ?? 0) + 1;
    const numbered: Resource = { ...event, id: String(seq) };
    const canonical = canonicalJson(numbered);
    return { event: numbered, hash: chainHashCanonical(head?.hash ?? GENESIS_HASH, seq, canonical), recorded: event.recorded as string, canonical };
  };
}

export type BreakReason =
  | 'content-modified'
  | 'missing-entry'
  | 'forged'
  | 'reordered'
  | 'truncated-after-checkpoint'
  | 'checkpoint-mismatch'
  | 'bad-checkpoint-signature';

export interface ChainBreak {
  /** The entry named: the first broken one (for truncation: the first missing one). */
  seq: number;
  reason: BreakReason;
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Entries read and found intact before the first break (all of them when ok). */
  checked: number;
  /** Signed checkpoints matched against the chain. */
  checkpoints: number;
  head: ChainHead | null;
  firstBroken?: ChainBreak;
}

/** Verifies a checkpoint's signature and returns its signed payload; throws when it is not valid. */
export type CheckpointSignatureCheck = (cp: AuditCheckpoint) => Promise<{ seq: number; headHash: string; time: string }>;

type AnyIterable<T> = Iterable<T> | AsyncIterable<T>;

function hashAt(r: AuditRecord, seq: number): string {
  if (seq < 1 || !Number.isSafeInteger(seq)) return '';
  return chainHashCanonical(HEX64.test(r.prevHash) ? r.prevHash : GENESIS_HASH, seq, r.canonical ?? canonicalJson(r.event));
}

/** Sequence number the event was written at (its id), or NaN. */
function writtenSeq(r: AuditRecord): number {
  const id = r.event?.id;
  return typeof id === 'string' && /^[1-9][0-9]*$/.test(id) ? Number(id) : Number.NaN;
}

/**
 * Classifies one record against the chain so far. Rules, in order:
 * - seq lower than expected → reordered; higher → missing-entry (the first absent seq is named);
 * - the event was written at another position (its id ≠ seq): if it still hashes at its own
 *   position it is a genuine entry that moved — directly after an extra entry (its link points to
 *   the entry two back) the extra entry is forged, otherwise reordered; if not, content-modified;
 * - its hash does not match its content: content-modified when its link holds, else forged;
 * - its content matches its hash but the link to the previous entry does not hold: forged (an
 *   entry fabricated with a self-consistent hash, or its predecessor was replaced).
 */
function classify(r: AuditRecord, expected: number, prevHash: string, prevPrevHash: string | null): ChainBreak | null {
  if (r.seq < expected) return { seq: r.seq, reason: 'reordered', detail: `entry ${r.seq} appears after entry ${expected - 1}` };
  if (r.seq > expected) return { seq: expected, reason: 'missing-entry', detail: `entries ${expected}..${r.seq - 1} are missing` };
  const selfOk = hashAt(r, r.seq) === r.hash;
  const linkOk = r.prevHash === prevHash;
  if (selfOk && linkOk) return null; // the common case: no need to parse the event
  const written = writtenSeq(r);
  if (written !== r.seq) {
    const genuine = !Number.isNaN(written) && hashAt(r, written) === r.hash;
    if (!genuine) return { seq: r.seq, reason: 'content-modified', detail: `entry ${r.seq} does not match its hash` };
    if (written === r.seq - 1 && prevPrevHash !== null && r.prevHash === prevPrevHash) {
      return { seq: r.seq - 1, reason: 'forged', detail: `entry ${r.seq - 1} was inserted: the original entry ${written} follows it` };
    }
    return { seq: r.seq, reason: 'reordered', detail: `entry written as ${written} stands at position ${r.seq}` };
  }
  if (!selfOk) {
    return linkOk
      ? { seq: r.seq, reason: 'content-modified', detail: `entry ${r.seq} does not match its hash` }
      : { seq: r.seq, reason: 'forged', detail: `entry ${r.seq} matches neither its hash nor its predecessor` };
  }
  return { seq: r.seq, reason: 'forged', detail: `entry ${r.seq} does not chain to entry ${r.seq - 1}` };
}

async function* iterate<T>(src: AnyIterable<T>): AsyncGenerator<T> {
  for await (const x of src as AsyncIterable<T>) yield x;
}

/**
 * Walks the chain and the signed checkpoints (both ascending by seq) once. A checkpoint whose
 * signature fails, or whose payload differs from its stored columns, is `bad-checkpoint-signature`;
 * a checkpoint whose head hash differs from the chain at that seq is `checkpoint-mismatch` (the
 * chain was rewritten up to there); a checkpoint beyond the last entry is `truncated-after-checkpoint`.
 */
export async function verifyChain(
  records: AnyIterable<AuditRecord>,
  checkpoints: AnyIterable<AuditCheckpoint>,
  verifyCheckpointSig: CheckpointSignatureCheck,
): Promise<VerifyResult> {
  const cps = iterate(checkpoints);
  let matched = 0;
  const nextCheckpoint = async (): Promise<{ cp?: { seq: number; headHash: string }; broken?: ChainBreak }> => {
    const n = await cps.next();
    if (n.done) return {};
    const cp = n.value;
    let payload: { seq: number; headHash: string; time: string };
    try {
      payload = await verifyCheckpointSig(cp);
    } catch {
      return { broken: { seq: cp.seq, reason: 'bad-checkpoint-signature', detail: `checkpoint at ${cp.seq} has no valid signature` } };
    }
    if (payload.seq !== cp.seq || payload.headHash !== cp.headHash) {
      return { broken: { seq: cp.seq, reason: 'bad-checkpoint-signature', detail: `checkpoint at ${cp.seq} differs from what was signed` } };
    }
    return { cp: payload };
  };

  let checked = 0;
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let prevPrevHash: string | null = null;
  let head: ChainHead | null = null;
  const fail = (b: ChainBreak): VerifyResult => ({ ok: false, checked, checkpoints: matched, head, firstBroken: b });

  let next = await nextCheckpoint();
  if (next.broken) return fail(next.broken);
  // A checkpoint of the empty chain (seq 0) says nothing to check.
  while (next.cp && next.cp.seq === 0) {
    matched++;
    next = await nextCheckpoint();
    if (next.broken) return fail(next.broken);
  }
  for await (const r of iterate(records)) {
    const broken = classify(r, expected, prevHash, prevPrevHash);
    if (broken) return fail(broken);
    while (next.cp && next.cp.seq === r.seq) {
      if (next.cp.headHash !== r.hash) {
        return fail({ seq: r.seq, reason: 'checkpoint-mismatch', detail: `the chain up to ${r.seq} differs from the signed checkpoint` });
      }
      matched++;
      next = await nextCheckpoint();
      if (next.broken) return fail(next.broken);
    }
    checked++;
    prevPrevHash = prevHash;
    prevHash = r.hash;
    head = { seq: r.seq, hash: r.hash };
    expected = r.seq + 1;
  }
  if (next.cp) {
    return fail({
      seq: expected,
      reason: 'truncated-after-checkpoint',
      detail: `a signed checkpoint covers entry ${next.cp.seq} but the chain ends at ${expected - 1}`,
    });
  }
  return { ok: true, checked, checkpoints: matched, head };
}
