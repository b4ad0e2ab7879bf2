/**
 * Signed checkpoints of the audit chain head: {seq, headHash, time} as a compact JWS (RFC 7515)
 * whose payload is the RFC 8785 canonical JSON of those three members, signed with the gateway's
 * key. The hash chain alone lets anyone who can write the table rebuild a consistent chain after
 * tampering; a checkpoint signed with a key the database never sees pins the chain up to `seq`.
 *
 * Invariants: no scheduler here — the server calls `signCheckpoint` at an interval and on
 * shutdown and stores the result; verification accepts only the listed algorithms and the
 * checkpoint `typ`, and every failure (library error included) becomes SIGNATURE_INVALID with the
 * jose error as `cause`.
 */
import { CompactSign, compactVerify, type CompactVerifyGetKey, type CryptoKey, type KeyObject } from 'jose';
import { GatewayError } from '../errors.js';
import { canonicalJson } from '../fhir/canonical.js';
import type { AuditCheckpoint, ChainHead } from '../store/ports.js';
import { GENESIS_HASH, type CheckpointSignatureCheck } from './chain.js';

export const CHECKPOINT_TYP = 'audit-checkpoint+jws';
export const CHECKPOINT_ALGS = ['ES256', 'ES384', 'PS256', 'RS256', 'RS384', 'EdDSA'] as const;

export interface CheckpointPayload {
  seq: number;
  headHash: string;
  time: string;
}

export interface CheckpointSigner {
  /** The gateway's private signing key. */
  key: CryptoKey | KeyObject | Uint8Array;
  kid: string;
  alg: (typeof CHECKPOINT_ALGS)[number];
}

/** A key, or a resolver such as jose's createLocalJWKSet over the gateway's public keys. */
export type CheckpointKeys = CryptoKey | KeyObject | Uint8Array | CompactVerifyGetKey;

/** Payload of the head now (an empty chain checkpoints seq 0 with the genesis hash). */
export function checkpointPayload(head: ChainHead | null, now: Date): CheckpointPayload {
  return { seq: head?.seq ?? 0, headHash: head?.hash ?? GENESIS_HASH, time: now.toISOString() };
}

export async function signCheckpoint(head: ChainHead | null, now: Date, signer: CheckpointSigner): Promise<AuditCheckpoint> {
  if (!signer?.key || !signer.kid || !(CHECKPOINT_ALGS as readonly string[]).includes(signer.alg)) {
    throw new TypeError('signCheckpoint needs a key, a kid and a supported alg');
  }
  const payload = checkpointPayload(head, now);
  const jws = await new CompactSign(new TextEncoder().encode(canonicalJson(payload)))
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: CHECKPOINT_TYP })
    .sign(signer.key);
  return { ...payload, jws };
}

function parsePayload(bytes: Uint8Array): CheckpointPayload {
  const v = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  if (
    typeof v !== 'object' || v === null ||
    !Number.isSafeInteger(v.seq) || (v.seq as number) < 0 ||
    typeof v.headHash !== 'string' || !/^[0-9a-f]{64}$/.test(v.headHash) ||
    typeof v.time !== 'string' || Number.isNaN(Date.parse(v.time))
  ) {
    throw new Error('checkpoint payload malformed');
  }
  return { seq: v.seq as number, headHash: v.headHash, time: v.time };
}

/** The signed payload of a checkpoint JWS; SIGNATURE_INVALID when it does not verify. */
export async function verifyCheckpointJws(jws: string, keys: CheckpointKeys): Promise<CheckpointPayload> {
  try {
    const { payload, protectedHeader } = await compactVerify(jws, keys as CompactVerifyGetKey, { algorithms: [...CHECKPOINT_ALGS] });
    if (protectedHeader.typ !== CHECKPOINT_TYP) throw new Error(`unexpected typ ${String(protectedHeader.typ)}`);
    return parsePayload(payload);
  } catch (cause) {
    throw new GatewayError('SIGNATURE_INVALID', 'The audit checkpoint signature is not valid.', { cause });
  }
}

/** The `verifyCheckpointSig` argument of verifyChain, over the given keys. */
export function checkpointVerifier(keys: CheckpointKeys): CheckpointSignatureCheck {
  return (cp: AuditCheckpoint) => verifyCheckpointJws(cp.jws, keys);
}
