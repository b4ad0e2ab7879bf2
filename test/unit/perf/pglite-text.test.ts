/**
 * Long text parameters reach PGlite as UTF-8 bytes in binary format (src/store/pglite.ts
 * TEXT_PARAMETERS): the stored value must be exactly what the default (text format) path stores —
 * Chinese, astral characters, escapes, a lone surrogate — on both sides of the length threshold,
 * in and out of a transaction, and non-string values bound to text columns as before.
 */
import { expect } from 'chai';
import { openPglite } from '../../../src/store/pglite.js';
import type { Database } from '../../../src/store/db.js';

describe('perf: PGlite long text parameters', function () {
  this.timeout(60_000);
  let db: Database;
  before(async () => {
    db = await openPglite();
    await db.query('CREATE TABLE t (k text PRIMARY KEY, v text NOT NULL)', []);
  });
  after(() => db.close());

  const roundTrip = async (k: string, v: unknown, inTx = false): Promise<string> => {
    const insert = (c: Pick<Database, 'query'>) => c.query('INSERT INTO t (k, v) VALUES ($1, $2)', [k, v]);
    if (inTx) await db.transaction(insert);
    else await insert(db);
    return (await db.query<{ v: string }>('SELECT v FROM t WHERE k = $1', [k])).rows[0]!.v;
  };

  it('stores long and short texts identically to what was sent', async () => {
    const unit = '出院小结：患者李四，男，67岁。🫀 "quoted" \\ back\nline\ttab ';
    for (const len of [10, 1023, 1024, 1025, 4096, 120_000]) {
      const v = unit.repeat(Math.ceil(len / unit.length)).slice(0, len);
      expect(await roundTrip(`a${len}`, v), `length ${len}`).to.equal(v);
      expect(await roundTrip(`b${len}`, v, true), `length ${len} in a transaction`).to.equal(v);
    }
  });

  it('a lone surrogate is stored the same way by both paths (U+FFFD)', async () => {
    const pad = 'x'.repeat(2000);
    const short = await roundTrip('s-short', 'a\ud800b');
    const long = await roundTrip('s-long', `${pad}a\ud800b`);
    expect(short).to.equal('a\ufffdb');
    expect(long.slice(pad.length)).to.equal(short);
  });

  it('numbers and dates bound to text are written as before', async () => {
    expect(await roundTrip('n', 42)).to.equal('42');
    expect(await roundTrip('d', new Date(Date.UTC(2025, 0, 2)))).to.equal('2025-01-02T00:00:00.000Z');
  });
});
