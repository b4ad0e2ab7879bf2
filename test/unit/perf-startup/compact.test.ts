/**
 * Compaction of the conformance resources held for the life of the process (src/compose/
 * validation.ts, issue 10 memory): only the narrative goes; every other value reads the same, and
 * the translator built on compacted resources answers exactly as one built on the originals.
 */
import { expect } from 'chai';
import path from 'node:path';
import { compactConformanceResources } from '../../../src/compose/validation.js';
import { loadFhirResources } from '../../../src/profiles/load.js';
import { createTranslator } from '../../../src/translate/index.js';
import type { Resource } from '../../../src/fhir/types.js';

const profiles = path.resolve(import.meta.dirname, '../../../fhir-profiles');
const withoutText = (r: Resource): Resource => {
  const { text: _t, ...rest } = r as Resource & { text?: unknown };
  return rest as Resource;
};

describe('conformance resource compaction', () => {
  it('drops only the narrative: every other element is unchanged, and a second pass changes nothing', () => {
    const resources = loadFhirResources([path.join(profiles, 'cn'), path.join(profiles, 'consent'), path.join(profiles, 'ips-2.0.0')]);
    expect(resources.filter((r) => 'text' in r).length, 'some resources carry a narrative').to.be.greaterThan(10);
    const expected = resources.map((r) => structuredClone(withoutText(r)));
    compactConformanceResources(resources);
    expect(resources.some((r) => 'text' in r)).to.equal(false);
    expect(resources).to.deep.equal(expected);
    compactConformanceResources(resources);
    expect(resources).to.deep.equal(expected);
  });

  it('leaves translation unchanged (codes across ICD-10, ATC, LOINC and the Chinese national systems)', () => {
    const dirs = [path.join(profiles, 'terminology')];
    const key = 'k'.repeat(32);
    const plain = createTranslator({ resources: loadFhirResources(dirs), pseudonymKey: key });
    const compacted = loadFhirResources(dirs);
    compactConformanceResources(compacted);
    const t = createTranslator({ resources: compacted, pseudonymKey: key });
    const probes: [string, string, 'en' | 'zh-CN'][] = [
      ['urn:oid:2.16.156.10011.2.3.3.11.3', 'I21.001', 'en'],
      ['urn:oid:2.16.156.10011.2.3.3.11', 'E11.900', 'en'],
      ['http://hl7.org/fhir/sid/icd-10', 'E11.9', 'zh-CN'],
      ['http://www.whocc.no/atc', 'J01DE01', 'zh-CN'],
      ['http://loinc.org', '8480-6', 'zh-CN'],
      ['urn:oid:2.16.156.10011.2.3.3.12', '36.0601', 'en'],
    ];
    let answered = 0;
    for (const [system, code, lang] of probes) {
      const a = t.translateCode(system, code, lang);
      expect(a, `${system}|${code}`).to.deep.equal(plain.translateCode(system, code, lang));
      if (a.result || a.display) answered++;
    }
    expect(answered, 'the probes hit the terminology').to.be.at.least(4);
    expect(t.terminology.sizes).to.deep.equal(plain.terminology.sizes);
  });
});
