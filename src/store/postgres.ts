/**
 * A PostgreSQL server through a `pg` pool, used when DATABASE_URL is set. Safe for several gateway
 * processes on one database (the audit chain serialises appends with an advisory lock).
 */
import pg from 'pg';
import type { Database, QueryResult, SqlClient } from './db.js';

// timestamptz and bigint come back as strings, like PGlite's text forms, so rows look alike.
pg.types.setTypeParser(1184, (v: string) => v);
pg.types.setTypeParser(1114, (v: string) => v);

export async function openPostgres(url: string, poolSize = 20): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client's network error must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const run = async <T>(c: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]): Promise<QueryResult<T>> => {
    const r = await c.query(sql, params as unknown[] | undefined);
    const res = Array.isArray(r) ? r[r.length - 1]! : r;
    return { rows: res.rows as T[], rowCount: res.rowCount ?? 0 };
  };
  await run(pool, 'SELECT 1');
  return {
    kind: 'postgres',
    capabilities: { multiProcess: true },
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const c = await pool.connect();
      const tx: SqlClient = { query: (sql, params) => run(c, sql, params) };
      try {
        await c.query('BEGIN');
        const out = await fn(tx);
        await c.query('COMMIT');
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}
