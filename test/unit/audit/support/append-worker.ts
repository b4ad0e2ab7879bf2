/**
 * Child process for the two-processes test: appends COUNT entries to the audit chain of the
 * PostgreSQL database at URL, each in its own transaction, 10 at a time, naming itself WORKER.
 * Usage: node --import tsx append-worker.ts URL WORKER COUNT
 */
import { chainLink } from '../../../../src/audit/chain.js';
import { buildAuditEvent } from '../../../../src/audit/events.js';
import { openPostgres } from '../../../../src/store/postgres.js';
import { createSqlAuditLog } from '../../../../src/store/sql/audit.js';
import { OBSERVER, facts } from './fixtures.js';

const [url, worker, countText] = process.argv.slice(2);
const count = Number(countText);
const db = await openPostgres(url!, 12);
let next = 0;
async function lane(): Promise<void> {
  while (next < count) {
    const i = next++;
    const event = buildAuditEvent(facts(i, { requestId: `${worker}-${i}`, actor: { participantId: worker!, role: 'provider' } }), OBSERVER);
    await db.transaction((tx) => createSqlAuditLog(tx).appendChained(chainLink(event)));
  }
}
await Promise.all(Array.from({ length: 10 }, lane));
await db.close();
process.stdout.write(`${worker} appended ${count}\n`);
