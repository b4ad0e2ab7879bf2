/**
 * Where an extension may be used (R4 extensibility.html §2.16.0.1 "context" and §2.16.0.2
 * "modifierExtension"): an extension whose definition says `isModifier` must appear in
 * `modifierExtension`, any other one in `extension`; and its StructureDefinition.context must name
 * the element it sits on — by data type (or an ancestor type: `Element`, `Resource`, `Quantity` for
 * Age ...) or by element path (`Patient.name`, `HumanName.family`).
 *
 * Invariants: only extensions whose definition we hold are judged; contexts we cannot evaluate
 * (fhirpath expressions, extension contexts) allow the use; answers are memoised per
 * (definition, element) so the walk pays a Map lookup per extension.
 */
import type { Ctx } from './context.js';
import { issue } from './context.js';
import { extraExtensionContexts } from './errata.js';

type Json = Record<string, unknown>;

const CORE = 'http://hl7.org/fhir/StructureDefinition/';

interface ExtInfo {
  url: string;
  version?: string;
  isModifier: boolean;
  /** Element contexts; undefined = no judgeable restriction. */
  contexts?: string[];
}

const infoCache = new WeakMap<Json, ExtInfo>();

function extInfo(sd: Json): ExtInfo {
  let info = infoCache.get(sd);
  if (info) return info;
  const holder = (sd.snapshot ?? sd.differential) as Json | undefined;
  const els = Array.isArray(holder?.element) ? (holder!.element as Json[]) : [];
  const root = els.find((e) => e.path === 'Extension' || e.id === 'Extension');
  let contexts: string[] | undefined;
  if (Array.isArray(sd.context) && sd.context.length) {
    contexts = [];
    for (const c of sd.context as Json[]) {
      if (c?.type !== 'element' || typeof c.expression !== 'string' || /[#:()]/.test(c.expression)) {
        contexts = undefined; // a fhirpath or extension context: not judged here
        break;
      }
      contexts.push(c.expression);
    }
    if (contexts) contexts.push(...extraExtensionContexts(String(sd.url)));
  }
  info = {
    url: String(sd.url),
    ...(typeof sd.version === 'string' ? { version: sd.version } : {}),
    isModifier: root?.isModifier === true,
    ...(contexts ? { contexts } : {}),
  };
  infoCache.set(sd, info);
  return info;
}

/** `type` and its ancestors by baseDefinition (Age → Quantity → Element; Patient → DomainResource → Resource). */
function typeChain(type: string, ctx: Ctx): string[] {
  const out = [type];
  let sd = ctx.reg.structureDefinition(CORE + type);
  for (let i = 0; sd && i < 10; i++) {
    const b = typeof sd.baseDefinition === 'string' ? sd.baseDefinition : '';
    if (!b.startsWith(CORE)) break;
    const name = b.slice(CORE.length);
    out.push(name);
    sd = ctx.reg.structureDefinition(b);
  }
  return out;
}

const allowedCache = new WeakMap<Json, Map<string, boolean>>();

function allowedAt(sd: Json, info: ExtInfo, elementPath: string, type: string, ctx: Ctx): boolean {
  if (!info.contexts) return true;
  let m = allowedCache.get(sd);
  if (!m) allowedCache.set(sd, (m = new Map()));
  const key = elementPath + '\u0000' + type;
  let ok = m.get(key);
  if (ok === undefined) {
    const chain = typeChain(type, ctx);
    const plain = elementPath.replace(/\[x\]/g, '');
    ok = info.contexts.some((c) => {
      const e = c.replace(/\[x\]/g, '');
      // `HumanName.family` names the element inside its type wherever the type is used
      // (Patient.contact.name.family): compare the part after the type name.
      const dot = e.indexOf('.');
      const inType = dot > 0 && plain.endsWith(e.slice(dot));
      return chain.includes(e) || e === plain || inType || e === 'Element' || e === 'Base' || type === 'Extension';
    });
    m.set(key, ok);
  }
  return ok;
}

/**
 * Checks each item of an `extension` / `modifierExtension` array found on an element of
 * `elementPath` (definition path) and data type `type`.
 */
export function checkExtensionUse(items: unknown, prop: 'extension' | 'modifierExtension', elementPath: string, type: string, path: string, ctx: Ctx): void {
  if (!Array.isArray(items)) return;
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as Json | null;
    if (!it || typeof it.url !== 'string' || !/^https?:|^urn:/.test(it.url)) continue;
    const sd = ctx.reg.structureDefinition(it.url);
    if (!sd || sd.type !== 'Extension') continue;
    const info = extInfo(sd);
    const at = `${path}.${prop}[${i}]`;
    if (prop === 'extension' && info.isModifier) {
      issue(ctx, 'error', 'structure', `The Extension '${it.url}' must not be used as an extension (it's a modifierExtension)`, at, 'extension-modifier');
    } else if (prop === 'modifierExtension' && !info.isModifier) {
      issue(ctx, 'error', 'structure', `The Extension '${it.url}' must not be used as a modifierExtension (it's a regular extension)`, at, 'extension-not-modifier');
    }
    if (!allowedAt(sd, info, elementPath, type, ctx)) {
      issue(
        ctx,
        'error',
        'structure',
        `The extension ${it.url}${info.version ? ' v' + info.version : ''} is not allowed to be used at this point (this element is [${type}, ${elementPath}]; allowed = ${info.contexts!.join(', ')})`,
        path,
        'extension-context',
      );
    }
  }
}
