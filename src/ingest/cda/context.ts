/**
 * Conversion context: the issue list (warnings for normalised defects, errors for what breaks
 * meaning), the injected id generator and the entry list of the Bundle being built.
 *
 * Invariants: every issue raised from the CDA carries the XPath of the element concerned (issue
 * `expression`, as src/errors.ts allows for XML input) and a stable `rule` code; ids come only
 * from the injected `newId` (deterministic in tests) and must be UUIDs, since fullUrls are
 * `urn:uuid:` (RFC 4122 / FHIR R4 Bundle.entry.fullUrl).
 */
import type { Issue } from '../../errors.js';
import type { BundleEntry, Resource } from '../../fhir/types.js';
import { xpathOf } from './dom.js';
import type { XmlElement } from './xml.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface EntryRef {
  fullUrl: string;
  resource: Resource;
}

export class Ctx {
  readonly issues: Issue[] = [];
  readonly entries: BundleEntry[] = [];

  constructor(private readonly newIdFn: () => string) {}

  newId(): string {
    const id = this.newIdFn();
    if (typeof id !== 'string' || !UUID.test(id)) {
      throw new TypeError(`newId() must return a lower-case UUID, got ${String(id)}`);
    }
    return id;
  }

  /** Add a resource to the Bundle with a fresh urn:uuid fullUrl; its `id` is the same UUID. */
  add<T extends Resource>(resource: T): EntryRef & { resource: T } {
    const id = this.newId();
    const fullUrl = `urn:uuid:${id}`;
    // resourceType first, then id, then the rest: the key order hospitals' JSON usually has.
    const { resourceType, ...rest } = resource;
    const withId = { resourceType, id, ...rest } as T;
    this.entries.push({ fullUrl, resource: withId });
    return { fullUrl, resource: withId };
  }

  warn(rule: string, diagnostics: string, diagnosticsZh: string, at?: XmlElement | string): void {
    this.push('warning', 'value', rule, diagnostics, diagnosticsZh, at);
  }

  error(rule: string, diagnostics: string, diagnosticsZh: string, at?: XmlElement | string, code = 'required'): void {
    this.push('error', code, rule, diagnostics, diagnosticsZh, at);
  }

  hasErrors(): boolean {
    return this.issues.some((i) => i.severity === 'error' || i.severity === 'fatal');
  }

  private push(
    severity: Issue['severity'],
    code: string,
    rule: string,
    diagnostics: string,
    diagnosticsZh: string,
    at?: XmlElement | string,
  ): void {
    const where = at === undefined ? undefined : typeof at === 'string' ? at : xpathOf(at);
    this.issues.push({ severity, code, diagnostics, diagnosticsZh, rule, ...(where ? { expression: [where] } : {}) });
  }
}
