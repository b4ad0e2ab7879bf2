/**
 * Schema of the audit log (issue 7): the hash-chained entries and the signed checkpoints of the
 * chain head, plus search columns derived from each AuditEvent (FHIR R4 AuditEvent search
 * parameters patient, agent, entity, type, subtype, outcome, date).
 *
 * Invariants: `event` is the RFC 8785 canonical JSON text the hash was computed over, stored as
 * text (jsonb would reorder members and lose the bytes); entries are append-only — a trigger
 * refuses UPDATE, DELETE and TRUNCATE from the application in both PGlite and PostgreSQL, and in
 * PostgreSQL mode AUDIT_REVOKE_SQL removes those privileges from the gateway's role (see
 * src/audit/RETENTION.md). `CREATE OR REPLACE TRIGGER` needs PostgreSQL ≥ 14.
 */
export const AUDIT_SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_log (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  recorded timestamptz NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  event text NOT NULL,
  patient_keys text[] NOT NULL DEFAULT '{}',
  agent_keys text[] NOT NULL DEFAULT '{}',
  entity_keys text[] NOT NULL DEFAULT '{}',
  type_keys text[] NOT NULL DEFAULT '{}',
  subtype_keys text[] NOT NULL DEFAULT '{}',
  outcome text NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_recorded ON audit_log (recorded);
CREATE INDEX IF NOT EXISTS audit_log_patient ON audit_log USING gin (patient_keys);
CREATE INDEX IF NOT EXISTS audit_log_agent ON audit_log USING gin (agent_keys);
CREATE INDEX IF NOT EXISTS audit_log_entity ON audit_log USING gin (entity_keys);
CREATE INDEX IF NOT EXISTS audit_log_type ON audit_log USING gin (type_keys);
CREATE INDEX IF NOT EXISTS audit_log_subtype ON audit_log USING gin (subtype_keys);

CREATE TABLE IF NOT EXISTS audit_checkpoint (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  seq bigint NOT NULL CHECK (seq >= 0),
  head_hash text NOT NULL,
  time timestamptz NOT NULL,
  jws text NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_checkpoint_seq ON audit_checkpoint (seq);

CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE OR REPLACE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE OR REPLACE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
`;

/**
 * PostgreSQL mode: run once as the owner of the tables (the migration / DBA role, NOT the role the
 * gateway logs in with), replacing gateway_app by the gateway's role. The gateway can then only
 * read and append; the triggers above stay as a second line against application bugs. A table
 * owner can always re-grant itself rights or disable triggers, so the gateway must not own them.
 */
export const AUDIT_REVOKE_SQL = `
REVOKE ALL ON audit_log, audit_checkpoint FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log, audit_checkpoint FROM gateway_app;
GRANT SELECT, INSERT ON audit_log, audit_checkpoint TO gateway_app;
`;

/** AUDIT_REVOKE_SQL for another role name (a quoted identifier, so any name is safe). */
export function auditRevokeSql(role: string): string {
  if (!role) throw new TypeError('role name required');
  return AUDIT_REVOKE_SQL.replaceAll('gateway_app', `"${role.replaceAll('"', '""')}"`);
}
