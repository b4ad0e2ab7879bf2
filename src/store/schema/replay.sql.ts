/**
 * Client-assertion ids already used (SMART Backend Services: a `jti` is never accepted twice).
 * Rows may be purged once `exp` has passed: an expired assertion is refused anyway.
 */
export const REPLAY_SCHEMA = `
CREATE TABLE IF NOT EXISTS client_assertion_jti (
  jti text PRIMARY KEY,
  exp timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS client_assertion_jti_exp ON client_assertion_jti (exp);
`;
