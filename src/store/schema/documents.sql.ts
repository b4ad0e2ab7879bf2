/**
 * Schema of stored documents. The Bundle is kept as text, exactly as serialised at intake, so a
 * GET returns the submitted content unchanged (issue 2: round trip byte-for-byte in content);
 * jsonb would reorder members.
 */
export const DOCUMENTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS document_version (
  id text NOT NULL,
  version_id integer NOT NULL,
  identifier_system text NOT NULL,
  identifier_value text NOT NULL,
  content_hash text NOT NULL,
  submitter text,
  last_updated timestamptz NOT NULL,
  resource text NOT NULL,
  PRIMARY KEY (id, version_id),
  UNIQUE (identifier_system, identifier_value, version_id)
);
CREATE TABLE IF NOT EXISTS document_patient (
  id text NOT NULL,
  version_id integer NOT NULL,
  system text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (id, version_id, system, value)
);
CREATE INDEX IF NOT EXISTS document_patient_key ON document_patient (system, value);
CREATE INDEX IF NOT EXISTS document_submitter ON document_version (submitter);
`;
