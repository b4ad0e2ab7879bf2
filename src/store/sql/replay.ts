/**
 * ReplayGuard over SQL: records a jti atomically (INSERT … ON CONFLICT DO NOTHING), so two
 * concurrent requests with the same assertion cannot both succeed.
 */
import type { SqlClient } from '../db.js';
import type { ReplayGuard } from '../ports.js';

export function createSqlReplayGuard(db: SqlClient): ReplayGuard {
  return {
    async firstUse(jti, exp) {
      await db.query('DELETE FROM client_assertion_jti WHERE exp < now() - interval \'1 hour\'');
      const r = await db.query('INSERT INTO client_assertion_jti (jti, exp) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING', [jti, exp.toISOString()]);
      return r.rowCount === 1;
    },
  };
}
