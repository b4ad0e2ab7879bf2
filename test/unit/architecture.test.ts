/**
 * Keeps the house in shape (ARCHITECTURE.md): stages never import express, pg, PGlite, another
 * stage, or read process.env; only composition code (server.ts, compose*, cli/) reads the
 * environment.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const src = path.resolve(import.meta.dirname, '../../src');
const STAGES = ['ingest', 'validate', 'translate', 'trust', 'consent', 'audit'];
const DRIVERS = [/^express$/, /^pg$/, /^@electric-sql\/pglite/];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

function stageOf(file: string): string | undefined {
  const rel = path.relative(src, file).split(path.sep);
  return rel.length > 1 && STAGES.includes(rel[0]!) ? rel[0] : undefined;
}

describe('architecture', () => {
  const all = files(src);

  it('finds the stages to check', () => {
    expect(all.filter((f) => stageOf(f)).length).to.be.greaterThan(5);
  });

  for (const file of all.filter((f) => stageOf(f))) {
    const rel = path.relative(src, file);
    it(`${rel} imports no driver, no other stage, and no process.env`, () => {
      const stage = stageOf(file)!;
      const text = readFileSync(file, 'utf8');
      expect(text, 'process.env').to.not.match(/process\.env/);
      for (const spec of imports(file)) {
        for (const d of DRIVERS) expect(spec, `${rel} imports ${spec}`).to.not.match(d);
        if (spec.startsWith('.')) {
          const target = path.resolve(path.dirname(file), spec);
          const other = stageOf(target.replace(/\.js$/, '.ts'));
          expect(other === undefined || other === stage, `${rel} imports stage ${other}`).to.equal(true);
          const top = path.relative(src, target).split(path.sep)[0];
          expect(['http', 'cli', 'gateway', 'server.js', 'compose.js', 'compose'], `${rel} imports ${spec}`).to.not.include(top);
        }
      }
    });
  }

  it('reads process.env only in composition code', () => {
    const offenders = all
      .filter((f) => /process\.env/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(src, f))
      .filter((r) => !/^(server\.ts|compose|cli\/)/.test(r));
    expect(offenders).to.deep.equal([]);
  });

  it('lets only composition code (server.ts, cli/) import the composition root', () => {
    const offenders = all
      .filter((f) => !/^(server\.ts|compose|cli\/)/.test(path.relative(src, f)))
      .filter((f) =>
        imports(f).some((spec) => spec.startsWith('.') && /^compose(\.js|\/)/.test(path.relative(src, path.resolve(path.dirname(f), spec)))),
      )
      .map((f) => path.relative(src, f));
    expect(offenders).to.deep.equal([]);
  });

  it('keeps the store adapters out of the domain: only store/ imports pg and PGlite', () => {
    const offenders = all
      .filter((f) => imports(f).some((s) => DRIVERS.slice(1).some((d) => d.test(s))))
      .map((f) => path.relative(src, f))
      .filter((r) => !r.startsWith('store/'));
    expect(offenders).to.deep.equal([]);
  });
});
