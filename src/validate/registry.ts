/**
 * The profile registry: every StructureDefinition, ValueSet and CodeSystem the validator may use,
 * indexed by canonical URL (and `url|version`), with StructureDefinitions compiled to ElementNode
 * trees and ValueSets expanded.
 *
 * Invariants: the registry object is frozen; conformance resources are indexed once at creation;
 * caller-supplied profiles (everything that is not an R4 core definition) are compiled at creation,
 * core type/resource definitions and ValueSet expansions are compiled on first use and memoised —
 * either way each is built once and never re-interpreted per request. Only FHIR R4 core resource
 * types (kind resource, derivation specialization, from the core definitions — never Medplum's own
 * types) are resource types here.
 */
import type { Resource } from '../fhir/types.js';
import { compileStructure } from './compile.js';
import type { ElementNode } from './model.js';
import { expandValueSet, type ExpansionResult } from './valueset.js';

type Json = Record<string, unknown>;

export interface ProfileRegistry {
  /** Raw StructureDefinition by canonical (`url` or `url|version`). */
  structureDefinition(url: string): Json | undefined;
  /** Compiled tree of a StructureDefinition (profile, extension or core type). */
  structure(url: string): ElementNode | undefined;
  /** Compiled tree of a core type or resource by its name (`Patient`, `Identifier`). */
  typeTree(code: string): ElementNode | undefined;
  isResourceType(name: string): boolean;
  valueSet(url: string): Json | undefined;
  codeSystem(url: string): Json | undefined;
  /** Expansion of a ValueSet; `ok: false` with a reason when it cannot be expanded or is unknown. */
  expansion(url: string): ExpansionResult;
  /** A knowledge artifact we hold (Questionnaire, Measure, SearchParameter) by canonical (`url` or `url|version`). */
  artifact(url: string): Json | undefined;
  /** Profiles an ImplementationGuide we hold declares global for a resource type (IG.global). */
  globalProfiles(type: string): readonly string[];
  /** Every StructureDefinition URL held (for listings). */
  readonly profileUrls: readonly string[];
}

const CORE = 'http://hl7.org/fhir/StructureDefinition/';

function stripVersion(url: string): string {
  const i = url.indexOf('|');
  return i < 0 ? url : url.slice(0, i);
}

/**
 * @param parent a registry to fall back to (e.g. the shared R4 core registry), so core trees and
 *   expansions are compiled once per process however many validators are built.
 */
export function createProfileRegistry(resources: readonly Resource[], parent?: ProfileRegistry): ProfileRegistry {
  const sds = new Map<string, Json>();
  const vss = new Map<string, Json>();
  const css = new Map<string, Json>();
  const resourceTypes = new Set<string>();
  const globals = new Map<string, string[]>();
  const artifacts = new Map<string, Json>();
  const put = (m: Map<string, Json>, r: Json): void => {
    if (typeof r.url !== 'string') return;
    // Later definitions win over earlier ones (caller profiles are passed after the core set).
    m.set(r.url, r);
    if (typeof r.version === 'string') m.set(`${r.url}|${r.version}`, r);
  };
  for (const r of resources as unknown as Json[]) {
    if (r.resourceType === 'StructureDefinition') {
      put(sds, r);
      if (
        r.kind === 'resource' &&
        r.derivation === 'specialization' &&
        typeof r.url === 'string' &&
        r.url === CORE + String(r.type) &&
        r.abstract !== true
      ) {
        resourceTypes.add(String(r.type));
      }
    } else if (r.resourceType === 'ImplementationGuide' && Array.isArray(r.global)) {
      // R4 implementationguide-definitions.html#ImplementationGuide.global: "all instances of the
      // type SHALL conform to this profile" — applied to every resource of that type.
      for (const g of r.global as Json[]) {
        if (typeof g?.type !== 'string' || typeof g.profile !== 'string') continue;
        const l = globals.get(g.type) ?? [];
        l.push(g.profile);
        globals.set(g.type, l);
      }
    } else if (r.resourceType === 'Questionnaire' || r.resourceType === 'Measure' || r.resourceType === 'SearchParameter') put(artifacts, r);
    else if (r.resourceType === 'ValueSet') put(vss, r);
    else if (r.resourceType === 'CodeSystem') put(css, r);
  }
  const lookup = (m: Map<string, Json>, url: string): Json | undefined => m.get(url) ?? m.get(stripVersion(url));

  const compiled = new Map<Json, ElementNode | null>();
  const compiling = new Set<Json>();
  const typeTrees = new Map<string, ElementNode | null>();
  const typeTree = (code: string): ElementNode | undefined => {
    let t = typeTrees.get(code);
    if (t === undefined) {
      t = structure(CORE + code) ?? null;
      typeTrees.set(code, t);
    }
    return t ?? undefined;
  };
  const structure = (url: string): ElementNode | undefined => {
    const sd = lookup(sds, url);
    if (!sd) return parent?.structure(url);
    const hit = compiled.get(sd);
    if (hit !== undefined) return hit ?? undefined;
    if (compiling.has(sd)) return undefined; // circular baseDefinition: treat as unknown
    compiling.add(sd);
    try {
      const isCoreSpecialisation = sd.derivation !== 'constraint' && typeof sd.url === 'string' && sd.url.startsWith(CORE);
      const baseUrl = typeof sd.baseDefinition === 'string' ? sd.baseDefinition : undefined;
      const base = !isCoreSpecialisation && baseUrl ? structure(baseUrl) : undefined;
      const tree = compileStructure(sd, base, typeTree);
      compiled.set(sd, tree);
      return tree;
    } finally {
      compiling.delete(sd);
    }
  };
  const expansions = new Map<string, ExpansionResult>();
  // Lookups by URL are memoised, misses included: the walk asks for the same few code systems and
  // value sets on every coding (a Map hit instead of two lookups plus the parent's).
  const memo = <T>(f: (u: string) => T): ((u: string) => T) => {
    const m = new Map<string, T>();
    return (u: string): T => {
      if (m.has(u)) return m.get(u) as T;
      const r = f(u);
      if (m.size < 100_000) m.set(u, r);
      return r;
    };
  };
  const termSource = {
    codeSystem: memo((u: string) => lookup(css, u) ?? parent?.codeSystem(u)),
    valueSet: memo((u: string) => lookup(vss, u) ?? parent?.valueSet(u)),
  };
  const expansion = (url: string): ExpansionResult => {
    let r = expansions.get(url);
    if (!r) {
      r = parent && !lookup(vss, url) ? parent.expansion(url) : expandValueSet(url, termSource);
      if (expansions.size < 100_000) expansions.set(url, r);
    }
    return r;
  };

  // Caller profiles are compiled now, so a broken one shows at start-up, not on the first request.
  for (const sd of new Set(sds.values())) {
    if (typeof sd.url === 'string' && !sd.url.startsWith(CORE)) structure(sd.url);
  }

  const isRt = new Map<string, boolean>();
  return Object.freeze({
    structureDefinition: (url: string) => lookup(sds, url) ?? parent?.structureDefinition(url),
    structure,
    typeTree,
    isResourceType: (name: string) => {
      // Asked for every complex value the walk meets: one Map hit instead of two set lookups.
      let r = isRt.get(name);
      if (r === undefined) {
        r = resourceTypes.has(name) || (parent?.isResourceType(name) ?? false);
        if (isRt.size < 10_000) isRt.set(name, r);
      }
      return r;
    },
    valueSet: termSource.valueSet,
    codeSystem: termSource.codeSystem,
    expansion,
    artifact: (url: string) => lookup(artifacts, url) ?? parent?.artifact(url),
    globalProfiles: (type: string) => [...(globals.get(type) ?? []), ...(parent?.globalProfiles(type) ?? [])],
    profileUrls: Object.freeze([...new Set([...sds.values()].map((s) => String(s.url)).concat(parent?.profileUrls ?? []))]),
  });
}
