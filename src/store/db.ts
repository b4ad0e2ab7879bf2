/**
 * The SQL connection seam: one small interface that both the embedded PGlite database and a
 * PostgreSQL server (`pg` pool) implement, so the repositories in store/sql/ are written once.
 *
 * Invariants: `transaction` commits only when its callback resolves and rolls back when it throws;
 * nothing outside store/ sees a connection. `capabilities` states what the adapter can guarantee
 * (ARCHITECTURE.md "Storage": PGlite is one process only).
 */

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface SqlClient {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}

export interface DbCapabilities {
  /** Several gateway processes may share this database. */
  multiProcess: boolean;
}

export interface Database extends SqlClient {
  readonly kind: 'pglite' | 'postgres';
  readonly capabilities: DbCapabilities;
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
