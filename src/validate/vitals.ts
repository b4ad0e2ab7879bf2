/**
 * The R4 vital signs rule (http://hl7.org/fhir/R4/observation-vitalsigns.html): an Observation
 * that uses one of the listed LOINC vital-sign codes SHALL conform to the matching core profile.
 * HL7's validator applies this automatically; so do we. Data: the code → profile table of §4.1.
 */
type Json = Record<string, unknown>;

const CORE = 'http://hl7.org/fhir/StructureDefinition/';
const VITALS: Record<string, string> = {
  '85353-1': 'vitalspanel',
  '9279-1': 'resprate',
  '8867-4': 'heartrate',
  '2708-6': 'oxygensat',
  '59408-5': 'oxygensat',
  '8310-5': 'bodytemp',
  '8302-2': 'bodyheight',
  '9843-4': 'headcircum',
  '29463-7': 'bodyweight',
  '39156-5': 'bmi',
  '85354-9': 'bp',
};

/**
 * SNOMED CT concepts for the same vital signs: HL7's validator applies the profile for them too
 * ("required by the FHIR specification because the SNOMED CT code 276885007 was found"); the
 * profile then asks for the LOINC code alongside.
 */
const SNOMED_VITALS: Record<string, string> = {
  '86290005': 'resprate',
  '364075005': 'heartrate',
  '103228002': 'oxygensat',
  '386725007': 'bodytemp',
  '276885007': 'bodytemp',
  '50373000': 'bodyheight',
  '363812007': 'headcircum',
  '27113001': 'bodyweight',
  '60621009': 'bmi',
  '75367002': 'bp',
};

/** Core vital-signs profile URLs an Observation must meet (empty for other resources). */
export function vitalSignProfiles(res: Json): string[] {
  if (res.resourceType !== 'Observation') return [];
  const code = res.code as Json | undefined;
  const codings = Array.isArray(code?.coding) ? (code!.coding as Json[]) : [];
  const out: string[] = [];
  for (const c of codings) {
    if (!c || typeof c.code !== 'string') continue;
    const p = c.system === 'http://loinc.org' ? VITALS[c.code] : c.system === 'http://snomed.info/sct' ? SNOMED_VITALS[c.code] : undefined;
    if (p && Object.hasOwn(c.system === 'http://loinc.org' ? VITALS : SNOMED_VITALS, c.code)) out.push(CORE + p);
  }
  return out;
}
