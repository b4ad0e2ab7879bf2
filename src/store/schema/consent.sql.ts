/**
 * Schema of the consent stage's ports (src/consent/ports.ts): append-only consent versions, links
 * (SHL and management) keyed by the SHA-256 of their secret, single-use file tickets, one-time
 * invitations, and the export ledger (distinct persons per hospital and calendar year).
 *
 * Invariants: no secret is stored in clear (hash columns only; `link.shl_key` is the SHL payload
 * key the gateway needs to encrypt files — it is not a credential for the manifest, whose URL
 * segment is stored hashed); `CHECK (failures <= budget)` backs the atomic attempt budget;
 * export_counter holds one row per (hospital, year) so the ceiling is enforced by one
 * conditional UPDATE under the row lock.
 */
export const CONSENT_SCHEMA = `
CREATE TABLE IF NOT EXISTS consent_version (
  id text NOT NULL,
  version_id integer NOT NULL,
  consent_key text NOT NULL,
  patient_system text NOT NULL,
  patient_value text NOT NULL,
  recipient_id text,
  hospital_id text NOT NULL,
  status text NOT NULL,
  end_at timestamptz NOT NULL,
  recorded timestamptz NOT NULL,
  resource text NOT NULL,
  PRIMARY KEY (id, version_id)
);
CREATE INDEX IF NOT EXISTS consent_version_key ON consent_version (consent_key);
CREATE INDEX IF NOT EXISTS consent_version_patient ON consent_version (patient_system, patient_value);

CREATE TABLE IF NOT EXISTS consent_link (
  hash text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('shl', 'management')),
  consent_id text NOT NULL,
  passcode_hash text,
  shl_key text,
  failures integer NOT NULL DEFAULT 0,
  budget integer NOT NULL,
  active boolean NOT NULL,
  created timestamptz NOT NULL,
  expires timestamptz,
  CHECK (failures >= 0 AND (budget = 0 OR failures <= budget))
);
CREATE INDEX IF NOT EXISTS consent_link_consent ON consent_link (consent_id);

CREATE TABLE IF NOT EXISTS consent_file_ticket (
  hash text PRIMARY KEY,
  link_hash text NOT NULL,
  consent_id text NOT NULL,
  document_id text NOT NULL,
  recipient text NOT NULL,
  expires timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS consent_invitation (
  hash text PRIMARY KEY,
  hospital_id text NOT NULL,
  patient_system text NOT NULL,
  patient_value text NOT NULL,
  documents text NOT NULL,
  created timestamptz NOT NULL,
  expires timestamptz NOT NULL,
  used timestamptz
);

CREATE TABLE IF NOT EXISTS export_person (
  hospital_id text NOT NULL,
  year integer NOT NULL,
  person text NOT NULL,
  PRIMARY KEY (hospital_id, year, person)
);
CREATE TABLE IF NOT EXISTS export_counter (
  hospital_id text NOT NULL,
  year integer NOT NULL,
  persons integer NOT NULL DEFAULT 0,
  PRIMARY KEY (hospital_id, year)
);
`;
