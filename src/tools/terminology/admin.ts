/**
 * Administrative code systems from ../shared/terminology-sources/admin-codes (MIT / WTFPL copies of
 * Chinese national standards): marital status GB/T 2261.2, ethnicity GB 3304, countries GB/T 2659,
 * provinces GB/T 2260, and the ConceptMaps sex GB/T 2261.1 → administrative-gender, marital →
 * v3-MaritalStatus, GB/T 2659 → ISO 3166. The sex, identity-document, document-type and section
 * CodeSystems belong to fhir-profiles/cn/ and are NOT duplicated here (only the sex map is ours).
 *
 * Invariants: every source row becomes one concept; counts in copyright equal the rows read.
 */
import path from 'node:path';
import { MANUAL_DIR, readCsv, readTsv } from './io.js';
import { OUR_BASE, SYSTEMS, codeSystem, concept, conceptMap, type MapElement, type Output } from './resources.js';

const ADMIN_SOURCE = 'terminology-sources/admin-codes/SOURCE.md';

/** `shan xi` → `Shanxi`; 陕西 is officially romanised `Shaanxi` to tell it from 山西. */
export function provincePinyin(name: string, pinyin: string): string {
  if (name === '陕西') return 'Shaanxi';
  const joined = pinyin.replace(/\s+/g, '');
  return joined.charAt(0).toUpperCase() + joined.slice(1);
}

export function buildAdmin(sourcesDir: string): Output[] {
  const dir = path.join(sourcesDir, 'admin-codes');
  const out: Output[] = [];

  // Sex GB/T 2261.1 → administrative-gender (map only; the CodeSystem lives in fhir-profiles/cn/).
  const sex = readTsv(path.join(dir, 'gbt2261.1-gender.tsv'), ['code', 'name_zh']);
  const sexTarget: Record<string, [string, string, string]> = {
    '0': ['unknown', 'Unknown', 'equivalent'], '1': ['male', 'Male', 'equivalent'],
    '2': ['female', 'Female', 'equivalent'], '9': ['unknown', 'Unknown', 'wider'],
  };
  const sexEl: MapElement[] = sex.map((r) => {
    const t = sexTarget[r.code!];
    return { code: r.code!, target: t ? [{ code: t[0], display: t[1], equivalence: t[2] }] : [{ equivalence: 'unmatched' }] };
  });
  out.push({
    file: 'ConceptMap-gbt2261-1-to-administrative-gender.json', compact: false,
    resource: conceptMap({
      id: 'gbt2261-1-to-administrative-gender', url: `${OUR_BASE}/ConceptMap/gbt2261-1-to-administrative-gender`, name: 'SexChinaToAdministrativeGender',
      title: 'GB/T 2261.1 sex → FHIR administrative-gender',
      description: `${sex.length} GB/T 2261.1 codes: 1 → male, 2 → female, 0 (unknown) → unknown, 9 (not stated) → unknown (wider). FHIR has no "other" in GB/T 2261.1.`,
      copyright: `Codes: GB/T 2261.1-2003 via tourze/gb-t-2261 (MIT), see ${ADMIN_SOURCE}; map by the EMR Gateway project. Row count: ${sex.length}.`,
      sourceUri: SYSTEMS.sex, targetUri: SYSTEMS.adminGender,
    }, [{ source: SYSTEMS.sex, target: SYSTEMS.adminGender, element: sexEl }]),
  });

  // Marital status GB/T 2261.2.
  const marital = readTsv(path.join(dir, 'gbt2261.2-marital-status.tsv'), ['code', 'name_zh']);
  const mmap = new Map(readTsv(path.join(MANUAL_DIR, 'marital-map.tsv'), ['code', 'name_en', 'target_system', 'target_code', 'equivalence']).map((r) => [r.code!, r]));
  const mConcepts = marital.map((r) => concept(r.code!, r.name_zh!, r.name_zh, mmap.get(r.code!)?.name_en));
  out.push({
    file: 'CodeSystem-gbt2261-2-marital-status.json', compact: false,
    resource: codeSystem({
      id: 'gbt2261-2-marital-status', url: SYSTEMS.marital, name: 'MaritalStatusChina', title: 'GB/T 2261.2-2003 marital status (婚姻状况代码)',
      description: `${marital.length} codes of GB/T 2261.2; English designations written by the EMR Gateway project.`,
      copyright: `Codes and names: GB/T 2261.2-2003 via tourze/gb-t-2261 @ f047f7d (MIT), see ${ADMIN_SOURCE}. Row count: ${marital.length}.`,
      content: 'complete', language: 'zh-CN',
    }, mConcepts),
  });
  const groups = new Map<string, MapElement[]>();
  for (const r of marital) {
    const m = mmap.get(r.code!);
    const sys = m?.target_system === 'v3-NullFlavor' ? SYSTEMS.v3NullFlavor : SYSTEMS.v3Marital;
    const list = groups.get(sys) ?? [];
    list.push({ code: r.code!, target: m ? [{ code: m.target_code!, display: m.target_display!, equivalence: m.equivalence! }] : [{ equivalence: 'unmatched' }] });
    groups.set(sys, list);
  }
  out.push({
    file: 'ConceptMap-gbt2261-2-to-v3-marital-status.json', compact: false,
    resource: conceptMap({
      id: 'gbt2261-2-to-v3-marital-status', url: `${OUR_BASE}/ConceptMap/gbt2261-2-to-v3-marital-status`, name: 'MaritalStatusChinaToV3',
      title: 'GB/T 2261.2 marital status → HL7 v3 MaritalStatus',
      description: `${marital.length} codes: 初婚/再婚/复婚 → M (wider); 未说明 → v3-NullFlavor UNK (the FHIR marital-status value set includes it).`,
      copyright: `Map by the EMR Gateway project (manual/marital-map.tsv). Row count: ${marital.length}.`,
      sourceUri: SYSTEMS.marital, targetUri: 'http://hl7.org/fhir/ValueSet/marital-status',
    }, [...groups.entries()].map(([target, element]) => ({ source: SYSTEMS.marital, target, element }))),
  });

  // Ethnicity GB 3304 (romanised names are the standard's own Latin spellings).
  const eth = readTsv(path.join(dir, 'gbt3304-ethnicity.tsv'), ['numeric_code', 'alpha_code', 'romanized_name', 'name_zh']);
  out.push({
    file: 'CodeSystem-gb3304-ethnicity.json', compact: false,
    resource: codeSystem({
      id: 'gb3304-ethnicity', url: SYSTEMS.ethnicity, name: 'EthnicityChina', title: 'GB 3304-1991 ethnic groups of China (中国各民族名称的罗马字母拼写法和代码)',
      description: `${eth.length} ethnic groups; en designation = the standard's romanised name; property alpha = the 2-letter code.`,
      copyright: `Codes and names: GB 3304-1991 via tourze/gb-t-3304 @ 3387585 (MIT), see ${ADMIN_SOURCE}. Row count: ${eth.length}.`,
      content: 'complete', language: 'zh-CN',
      property: [{ code: 'alpha', uri: `${OUR_BASE}/CodeSystem/terminology-property#alpha`, description: 'GB 3304 alphabetic code', type: 'string' }],
    }, eth.map((r) => concept(r.numeric_code!, r.name_zh!, r.name_zh, r.romanized_name, [{ code: 'alpha', valueString: r.alpha_code! }]))),
  });

  // Countries GB/T 2659 (= ISO 3166-1 alpha-2).
  const ctry = readTsv(path.join(dir, 'gbt2659-iso3166-countries.tsv'), ['alpha2', 'alpha3', 'numeric', 'name_en', 'name_zh_cldr', 'name_zh_gbt2659_tourze']);
  // GB/T 2659 defines alpha-2 and alpha-3 codes; hospitals send either (our fixtures use CAN), so
  // both are concepts: alpha-2 first (the agreed form), then alpha-3 with property alpha2.
  const countryConcept = (r: (typeof ctry)[number], alpha3: boolean) => {
    const zhName = r.name_zh_gbt2659_tourze || r.name_zh_cldr!;
    const props = alpha3
      ? [{ code: 'alpha2', valueString: r.alpha2! }, { code: 'numeric', valueString: r.numeric! }]
      : [{ code: 'alpha3', valueString: r.alpha3! }, { code: 'numeric', valueString: r.numeric! }];
    const c = concept(alpha3 ? r.alpha3! : r.alpha2!, zhName, zhName, r.name_en, props);
    if (r.name_zh_cldr && r.name_zh_cldr !== zhName) c.designation!.splice(1, 0, { language: 'zh-CN', value: r.name_zh_cldr });
    return c;
  };
  const cConcepts = [...ctry.map((r) => countryConcept(r, false)), ...ctry.map((r) => countryConcept(r, true))];
  out.push({
    file: 'CodeSystem-gbt2659-country.json', compact: false,
    resource: codeSystem({
      id: 'gbt2659-country', url: SYSTEMS.country, name: 'CountryChina', title: 'GB/T 2659 countries and regions (世界各国和地区名称代码), alpha-2',
      description: `${ctry.length} countries and regions as ${cConcepts.length} codes: alpha-2 and alpha-3 (identical to ISO 3166-1; property alpha2/alpha3 links the two forms). display = GB/T 2659 Chinese name (tourze), a second zh-CN designation = CLDR name where different; en = ISO English short name.`,
      copyright: `Codes and English names: i18n-iso-countries @ 55c3a72 (MIT, © 2016 widdix GmbH); Chinese names: tourze/gb-t-2659 (MIT) and CLDR; see ${ADMIN_SOURCE}. Row count: ${ctry.length} rows (${cConcepts.length} codes).`,
      content: 'complete', language: 'zh-CN',
      property: [
        { code: 'alpha2', uri: `${OUR_BASE}/CodeSystem/terminology-property#alpha2`, description: 'ISO 3166-1 alpha-2', type: 'string' },
        { code: 'alpha3', uri: `${OUR_BASE}/CodeSystem/terminology-property#alpha3`, description: 'ISO 3166-1 alpha-3', type: 'string' },
        { code: 'numeric', uri: `${OUR_BASE}/CodeSystem/terminology-property#numeric`, description: 'ISO 3166-1 numeric', type: 'string' },
      ],
    }, cConcepts),
  });
  out.push({
    file: 'ConceptMap-gbt2659-to-iso3166.json', compact: true,
    resource: conceptMap({
      id: 'gbt2659-to-iso3166', url: `${OUR_BASE}/ConceptMap/gbt2659-to-iso3166`, name: 'CountryChinaToIso3166', title: 'GB/T 2659 → ISO 3166-1',
      description: `${ctry.length * 2} codes (alpha-2 and alpha-3) map to the ISO 3166-1 alpha-2 code (GB/T 2659-2000 adopts ISO 3166-1): alpha-2 → equal, alpha-3 → equivalent.`,
      copyright: `See ${ADMIN_SOURCE} (MIT sources). Row count: ${ctry.length}.`,
      sourceUri: SYSTEMS.country, targetUri: SYSTEMS.iso3166,
    }, [{ source: SYSTEMS.country, target: SYSTEMS.iso3166, element: [
      ...ctry.map((r) => ({ code: r.alpha2!, target: [{ code: r.alpha2!, display: r.name_en!, equivalence: 'equal' }] })),
      ...ctry.map((r) => ({ code: r.alpha3!, target: [{ code: r.alpha2!, display: r.name_en!, equivalence: 'equivalent' }] })),
    ] }]),
  });

  // Provinces GB/T 2260 (provincial level), from the AreaCity level-3 list (MIT).
  const areas = readCsv(path.join(dir, 'gbt2260-areacity-level3-pinyin.csv'), ['id', 'deep', 'name', 'pinyin', 'ext_name']);
  const prov = areas.filter((r) => r.deep === '0' && /^[1-8]\d$/.test(r.id!));
  out.push({
    file: 'CodeSystem-gbt2260-province.json', compact: false,
    resource: codeSystem({
      id: 'gbt2260-province', url: SYSTEMS.province, name: 'ProvinceChina', title: 'GB/T 2260 provincial-level divisions (省级行政区划代码)',
      description: `${prov.length} provincial-level divisions (6-digit GB/T 2260 code, e.g. 110000). display = official name; zh-CN designations = official and short name; en = Hanyu Pinyin (GB/T 2260 has no English names).`,
      copyright: `NBS/MCA 2023 codes via xiangyuecn/AreaCity-JsSpider-StatsGov @ 1ec0580 (MIT, © 2019 xiangyuecn), see ${ADMIN_SOURCE}. Row count: ${prov.length} of ${areas.length} rows (deep = 0).`,
      content: 'complete', language: 'zh-CN',
    }, prov.map((r) => {
      const c = concept(`${r.id}0000`, r.ext_name!, r.ext_name, provincePinyin(r.name!, r.pinyin!));
      if (r.name !== r.ext_name) c.designation!.splice(1, 0, { language: 'zh-CN', value: r.name! });
      return c;
    })),
  });
  return out;
}
