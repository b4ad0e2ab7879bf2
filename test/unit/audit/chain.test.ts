import { expect } from 'chai';
import { generateKeyPair } from 'jose';
import { chainHash, chainHashCanonical, chainLink, GENESIS_HASH, verifyChain, type BreakReason } from '../../../src/audit/chain.js';
import { checkpointVerifier, signCheckpoint, type CheckpointSigner } from '../../../src/audit/checkpoint.js';
import { buildAuditEvent } from '../../../src/audit/events.js';
import { canonicalJson } from '../../../src/fhir/canonical.js';
import type { Resource } from '../../../src/fhir/types.js';
import type { AuditCheckpoint, AuditRecord } from '../../../src/store/ports.js';
import { OBSERVER, chainStream, facts, makeChain } from './support/fixtures.js';

const noCheckpoints = async () => {
  throw new Error('no checkpoint expected');
};

describe('audit/chain: hash chain and verification', () => {
  let signer: CheckpointSigner;
  let verifySig: ReturnType<typeof checkpointVerifier>;
  before(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    signer = { key: privateKey, kid: 'gw-1', alg: 'ES256' };
    verifySig = checkpointVerifier(publicKey);
  });

  describe('hash vectors (byte layout: ASCII prevHash || canonical {"event","seq"})', () => {
    const e1: Resource = { resourceType: 'AuditEvent', recorded: '2025-01-01T00:00:00.000Z', id: '1' };
    // Members deliberately out of order: the canonical form sorts them.
    const e2: Resource = { resourceType: 'AuditEvent', recorded: '2025-01-01T00:00:01.000Z', outcomeDesc: '患者', id: '2' };
    // Computed independently with `printf '%s%s' <prev> '<canonical text>' | sha256sum`.
    const H1 = '50f3413556c36b8a9a66f234141125a82e6806c5d4394476dcbf7ca4c1188a00';
    const H2 = '4b4ae351537822175d7525a2984847149bd2ec333a6bb9078ffdf70f635d07d1';

    it('hashes entry 1 onto the genesis hash (64 zeros)', () => {
      expect(GENESIS_HASH).to.equal('0'.repeat(64));
      expect(chainHash(GENESIS_HASH, { seq: 1, event: e1 })).to.equal(H1);
    });
    it('hashes entry 2 (UTF-8 content) onto entry 1', () => {
      expect(chainHash(H1, { seq: 2, event: e2 })).to.equal(H2);
    });
    it('gives the same hash from the canonical event text', () => {
      expect(chainHashCanonical(H1, 2, canonicalJson(e2))).to.equal(H2);
    });
    it('refuses a malformed prevHash as our own misuse', () => {
      expect(() => chainHash('abc', { seq: 1, event: e1 })).to.throw(TypeError);
    });
    it('chainLink numbers the event with its seq and returns the canonical text it hashed', () => {
      const built = chainLink(buildAuditEvent(facts(1), OBSERVER))({ seq: 41, hash: H1 });
      expect(built.event.id).to.equal('42');
      expect(built.canonical).to.equal(canonicalJson(built.event));
      expect(built.hash).to.equal(chainHash(H1, { seq: 42, event: built.event }));
    });
    it('the streamed test chain equals canonicalJson of each numbered event', () => {
      for (const r of chainStream(3)) expect(r.canonical).to.equal(canonicalJson(r.event));
    });
  });

  describe('verifyChain names the first broken entry', () => {
    const N = 200;
    const intact = (): AuditRecord[] => makeChain(N).map((r) => ({ ...r }));

    it('accepts an intact chain and reports its head', async () => {
      const recs = intact();
      const r = await verifyChain(recs, [], noCheckpoints);
      expect(r).to.include({ ok: true, checked: N });
      expect(r.head).to.deep.equal({ seq: N, hash: recs[N - 1]!.hash });
    });

    const cases: [string, (c: AuditRecord[]) => AuditRecord[], number, BreakReason][] = [
      [
        'modified content',
        (c) => {
          c[76] = { ...c[76]!, event: { ...c[76]!.event, outcome: '8' } };
          return c;
        },
        77,
        'content-modified',
      ],
      ['a deleted entry', (c) => c.filter((r) => r.seq !== 120), 120, 'missing-entry'],
      [
        'a forged entry inserted (valid hash, later entries renumbered)',
        (c) => {
          const prev = c[99]!;
          const forged = chainLink(buildAuditEvent(facts(9999, { requestId: 'forged' }), OBSERVER))({ seq: prev.seq, hash: prev.hash });
          const renumbered = c.slice(100).map((r) => ({ ...r, seq: r.seq + 1 }));
          return [...c.slice(0, 100), { seq: 101, prevHash: prev.hash, ...forged }, ...renumbered];
        },
        101,
        'forged',
      ],
      [
        'a forged entry appended with a made-up hash',
        (c) => [...c, { ...c[N - 1]!, seq: N + 1, prevHash: 'e'.repeat(64), hash: 'f'.repeat(64), event: { ...c[0]!.event, id: String(N + 1) } }],
        N + 1,
        'forged',
      ],
      [
        'two entries swapped',
        (c) => {
          const a = c[49]!;
          const b = c[50]!;
          c[49] = { ...b, seq: 50 };
          c[50] = { ...a, seq: 51 };
          return c;
        },
        50,
        'reordered',
      ],
      [
        'two entries delivered out of order',
        (c) => {
          [c[9], c[10]] = [c[10]!, c[9]!];
          return c;
        },
        10,
        'missing-entry',
      ],
    ];
    for (const [name, tamper, seq, reason] of cases) {
      it(`detects ${name}: ${reason} at ${seq}`, async () => {
        const r = await verifyChain(tamper(intact()), [], noCheckpoints);
        expect(r.ok).to.equal(false);
        expect(r.firstBroken).to.include({ seq, reason });
      });
    }

    it('detects a chain rewritten after a change (every hash recomputed) through the signed checkpoint', async () => {
      const original = intact();
      const cp = await signCheckpoint({ seq: 150, hash: original[149]!.hash }, new Date('2025-01-02T00:00:00Z'), signer);
      const rewritten = makeChain(N, (i) => facts(i, i === 30 ? { documents: ['other'] } : {}));
      const r = await verifyChain(rewritten, [cp], verifySig);
      expect(r.firstBroken).to.include({ seq: 150, reason: 'checkpoint-mismatch' });
    });

    it('detects the tail truncated after a signed checkpoint and names the first missing entry', async () => {
      const recs = intact();
      const cp = await signCheckpoint({ seq: N, hash: recs[N - 1]!.hash }, new Date('2025-01-02T00:00:00Z'), signer);
      const intactResult = await verifyChain(recs, [cp], verifySig);
      expect(intactResult).to.include({ ok: true, checkpoints: 1 });
      const r = await verifyChain(recs.slice(0, 180), [cp], verifySig);
      expect(r.firstBroken).to.include({ seq: 181, reason: 'truncated-after-checkpoint' });
    });

    it('detects a checkpoint whose signature or stored columns were altered', async () => {
      const recs = intact();
      const cp = await signCheckpoint({ seq: 100, hash: recs[99]!.hash }, new Date('2025-01-02T00:00:00Z'), signer);
      const [h, p, s] = cp.jws.split('.');
      const badSig: AuditCheckpoint = { ...cp, jws: `${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}` };
      expect((await verifyChain(recs, [badSig], verifySig)).firstBroken).to.include({ seq: 100, reason: 'bad-checkpoint-signature' });
      const moved: AuditCheckpoint = { ...cp, seq: 90 };
      expect((await verifyChain(recs, [moved], verifySig)).firstBroken).to.include({ seq: 90, reason: 'bad-checkpoint-signature' });
      const { privateKey } = await generateKeyPair('ES256');
      const foreign = await signCheckpoint({ seq: 100, hash: recs[99]!.hash }, new Date(), { key: privateKey, kid: 'x', alg: 'ES256' });
      expect((await verifyChain(recs, [foreign], verifySig)).firstBroken).to.include({ reason: 'bad-checkpoint-signature' });
    });

    it('accepts several checkpoints, including one of the empty chain and two at the same head', async () => {
      const recs = intact();
      const t = new Date('2025-01-02T00:00:00Z');
      const cps = [
        await signCheckpoint(null, t, signer),
        await signCheckpoint({ seq: 10, hash: recs[9]!.hash }, t, signer),
        await signCheckpoint({ seq: 10, hash: recs[9]!.hash }, t, signer),
        await signCheckpoint({ seq: N, hash: recs[N - 1]!.hash }, t, signer),
      ];
      expect(await verifyChain(recs, cps, verifySig)).to.include({ ok: true, checkpoints: 4, checked: N });
    });

    it('detects the whole log deleted after a checkpoint', async () => {
      const recs = intact();
      const cp = await signCheckpoint({ seq: 5, hash: recs[4]!.hash }, new Date(), signer);
      expect((await verifyChain([], [cp], verifySig)).firstBroken).to.include({ seq: 1, reason: 'truncated-after-checkpoint' });
    });

    it('verifies an intact chain of 100,000 entries, streamed', async function () {
      this.timeout(120_000);
      const r = await verifyChain(chainStream(100_000), [], noCheckpoints);
      expect(r).to.include({ ok: true, checked: 100_000 });
    });
  });
});
