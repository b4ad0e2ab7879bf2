/**
 * File access for the terminology build tool (a build step, not a runtime stage, so it may read
 * files). Parses the TSV/CSV/gzip-JSON sources under ../shared/terminology-sources and our
 * hand-maintained TSVs under manual/, and writes generated resources.
 *
 * Invariants: rows come back in file order (determinism); a malformed source (missing header
 * column) is a coded GatewayError, never a silent partial read; output JSON is byte-stable
 * (fixed key order as built, LF line endings, trailing newline).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { GatewayError } from '../../errors.js';

export type Row = Record<string, string>;

/** Folder holding our hand-maintained sources (project licence). */
export const MANUAL_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'manual');

/** Repository root (src/tools/terminology → ../../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  } catch (cause) {
    throw new GatewayError('NOT_FOUND', `terminology source not readable: ${path.basename(file)}`, { cause });
  }
}

/**
 * Tab-separated file with a header line. Lines starting with `#` are comments (manual files use
 * them for notes). Every `required` column must be present in the header.
 */
export function readTsv(file: string, required: string[] = []): Row[] {
  return parseDelimited(readText(file), '\t', file, required);
}

/** Comma-separated file with RFC 4180 double-quoted fields (the GB/T 2260 sources). */
export function readCsv(file: string, required: string[] = []): Row[] {
  return parseDelimited(readText(file), ',', file, required);
}

function splitCsvLine(line: string, sep: string): string[] {
  if (sep === '\t') return line.split('\t');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function parseDelimited(text: string, sep: string, file: string, required: string[]): Row[] {
  const lines = text.split('\n').filter((l) => l.length > 0 && !l.startsWith('#'));
  const header = splitCsvLine(lines[0] ?? '', sep).map((h) => h.trim());
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new GatewayError('CONVERSION_FAILED', `${path.basename(file)}: missing column(s) ${missing.join(', ')}`);
  }
  return lines.slice(1).map((line) => {
    const cells = splitCsvLine(line, sep);
    const row: Row = {};
    header.forEach((h, i) => {
      row[h] = (cells[i] ?? '').trim();
    });
    return row;
  });
}

/** A gzip-compressed JSON object (the bryand1 ICD-10-CM order file). */
export function readGzipJson(file: string): unknown {
  let buf: Buffer;
  try {
    buf = zlib.gunzipSync(fs.readFileSync(file));
  } catch (cause) {
    throw new GatewayError('NOT_FOUND', `terminology source not readable: ${path.basename(file)}`, { cause });
  }
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (cause) {
    throw new GatewayError('MALFORMED_JSON', `${path.basename(file)} is not JSON`, { cause });
  }
}

export function readJson(file: string): unknown {
  try {
    return JSON.parse(readText(file));
  } catch (cause) {
    if (cause instanceof GatewayError) throw cause;
    throw new GatewayError('MALFORMED_JSON', `${path.basename(file)} is not JSON`, { cause });
  }
}

/**
 * Serialise a resource: compact (one line) for the large ICD resources to keep the repository
 * small, two-space indented otherwise. Key order is the order the builders wrote.
 */
export function serialise(resource: unknown, compact: boolean): string {
  return (compact ? JSON.stringify(resource) : JSON.stringify(resource, null, 2)) + '\n';
}
