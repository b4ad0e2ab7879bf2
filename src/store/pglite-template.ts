/**
 * A pre-initialised PGlite data directory ("template"), made once at build time and unpacked on the
 * first start on an empty DATA_DIR instead of running initdb.
 *
 * Why (issue 10, start-up ≤ 3 s and ≤ 300 MB): initdb runs as a second WebAssembly PostgreSQL
 * instance and cost 4–8 s and ~800 MB on this machine on every first start (and on every in-memory
 * test database); unpacking the 4.5 MB archive measured ≈ 4× faster and about half the resident
 * memory (figures in the commit that introduced this file).
 *
 * Invariants: the archive is used only when its stamp names the installed @electric-sql/pglite
 * version and its SHA-256 matches (a template from another PGlite could carry another PostgreSQL
 * catalogue version); otherwise callers fall back to initdb, which gives the same database. The
 * template holds a bare initdb result — no gateway schema — so migrations (migrations.ts) still run
 * on it exactly as on an initdb'd directory, and the archive depends only on the PGlite version.
 * Files are written to a temporary name and renamed, so an interrupted build leaves no half archive.
 *
 * Run: `node dist/src/store/pglite-template.js [file]` (the `build` script does it) — writes the
 * archive when it is absent or was made by another PGlite version.
 */
import { PGlite } from '@electric-sql/pglite';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const TEMPLATE_ARCHIVE = 'pglite-template.tgz';

/** Written beside the archive (`<archive>.json`). */
export interface TemplateStamp {
  pglite: string;
  sha256: string;
  bytes: number;
}

function findUp(start: string, accept: (dir: string) => boolean, what: string): string {
  let dir = start;
  while (!accept(dir)) {
    const up = path.dirname(dir);
    if (up === dir) throw new TypeError(`${what} not found above ${start}`);
    dir = up;
  }
  return dir;
}

/** The installed @electric-sql/pglite version (its package.json is not exported: found on disk). */
export function installedPgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const dir = findUp(
    path.dirname(entry),
    (d) => existsSync(path.join(d, 'package.json')) && JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')).name === '@electric-sql/pglite',
    'the @electric-sql/pglite package.json',
  );
  return String(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version);
}

/** `<package root>/dist/pglite-template.tgz`, whether this module runs from src/ (tsx) or dist/src/. */
export function defaultTemplatePath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = findUp(here, (d) => existsSync(path.join(d, 'package.json')), 'package.json');
  return path.join(root, 'dist', TEMPLATE_ARCHIVE);
}

const stampPath = (file: string): string => `${file}.json`;

function readStamp(file: string): TemplateStamp | undefined {
  try {
    const s = JSON.parse(readFileSync(stampPath(file), 'utf8')) as Partial<TemplateStamp>;
    return typeof s.pglite === 'string' && typeof s.sha256 === 'string' && typeof s.bytes === 'number' ? (s as TemplateStamp) : undefined;
  } catch {
    return undefined;
  }
}

const cache = new Map<string, Blob | undefined>();

/**
 * The template archive, or undefined when absent, stale (another PGlite version) or damaged —
 * the caller then runs initdb. Kept per process and path with `keep` (test suites open many
 * in-memory databases); a gateway unpacks it once and should not hold its 4.5 MB.
 */
export function readPgliteTemplate(file = defaultTemplatePath(), { keep = true }: { keep?: boolean } = {}): Blob | undefined {
  if (cache.has(file)) return cache.get(file);
  let blob: Blob | undefined;
  try {
    const stamp = readStamp(file);
    if (stamp && stamp.pglite === installedPgliteVersion() && existsSync(file)) {
      const bytes = readFileSync(file);
      if (bytes.length === stamp.bytes && createHash('sha256').update(bytes).digest('hex') === stamp.sha256) blob = new Blob([bytes]);
    }
  } catch {
    blob = undefined; // unreadable: initdb instead (the template only saves time)
  }
  if (keep) cache.set(file, blob);
  return blob;
}

/** True when `file` is present, intact and made by the installed PGlite. */
export function templateIsCurrent(file = defaultTemplatePath()): boolean {
  cache.delete(file);
  return readPgliteTemplate(file) !== undefined;
}

/** Runs initdb once (in memory) and writes the data directory as a gzip tar with its stamp. */
export async function writePgliteTemplate(file = defaultTemplatePath()): Promise<TemplateStamp> {
  const pg = await PGlite.create();
  let bytes: Buffer;
  try {
    bytes = Buffer.from(await (await pg.dumpDataDir('gzip')).arrayBuffer());
  } finally {
    await pg.close();
  }
  const stamp: TemplateStamp = { pglite: installedPgliteVersion(), sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
  writeFileSync(`${tmp}.json`, JSON.stringify(stamp, null, 2) + '\n');
  renameSync(`${tmp}.json`, stampPath(file));
  cache.delete(file);
  return stamp;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const file = path.resolve(process.argv[2] ?? defaultTemplatePath());
  if (templateIsCurrent(file)) {
    console.log(`pglite-template: ${path.relative(process.cwd(), file)} is current (PGlite ${installedPgliteVersion()})`);
  } else {
    const t0 = performance.now();
    const stamp = await writePgliteTemplate(file);
    console.log(
      `pglite-template: wrote ${path.relative(process.cwd(), file)} (${(stamp.bytes / 1e6).toFixed(1)} MB, PGlite ${stamp.pglite}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
}
