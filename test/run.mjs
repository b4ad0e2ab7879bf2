#!/usr/bin/env node
// `npm test`: type-check, start a throw-away PostgreSQL server when its binaries are present, run
// every mocha suite once, and close with the plain line "N passed, N failed" that CI reads.
// Without PostgreSQL binaries the PostgreSQL contract suite is skipped and this says so clearly.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { startTempPostgres } from './support/temp-postgres.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const extra = process.argv.slice(2);
let typeFailed = 0;

if (!process.env.SKIP_TYPECHECK) {
  // test/tsconfig.json covers src/, bench/ and the tests themselves (strict, no emit).
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'test/tsconfig.json')], {
    stdio: 'inherit',
  });
  if (tsc.status !== 0) {
    typeFailed = 1;
    console.error('type check failed (counted as one failed test)');
  } else console.log('type check passed');
}

let pg;
if (!process.env.TEST_DATABASE_URL) {
  try {
    pg = await startTempPostgres();
    if (pg) process.env.TEST_DATABASE_URL = pg.url;
    else console.log('PostgreSQL suite SKIPPED: no PostgreSQL server binaries found (apt-get install postgresql).');
  } catch (e) {
    console.log(`PostgreSQL suite SKIPPED: could not start a temporary server: ${e.message}`);
  }
}

const summaryFile = path.join(root, '.tmp', `mocha-summary-${process.pid}.json`);
const args = [
  path.join(root, 'node_modules/mocha/bin/mocha.js'),
  '--import=tsx',
  '--extension', 'ts',
  '--reporter', path.join(root, 'test/support/reporter.cjs'),
  '--reporter-option', `summary=${summaryFile}`,
  '--timeout', '60000',
  '--exit',
  ...(extra.length ? extra : ['test/**/*.test.ts']),
];
const run = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root, env: process.env });
await pg?.stop();

let passed = 0;
let failed = typeFailed;
let skipped = 0;
try {
  const { readFileSync, rmSync } = await import('node:fs');
  const s = JSON.parse(readFileSync(summaryFile, 'utf8'));
  rmSync(summaryFile, { force: true });
  passed += s.passes;
  failed += s.failures;
  skipped += s.pending;
} catch {
  failed += 1;
  console.error('mocha did not complete (counted as one failed test)');
}
if (typeFailed === 0 && !process.env.SKIP_TYPECHECK) passed += 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 || run.status !== 0 ? 1 : 0;
