/**
 * What the consent use cases need beyond the common deps: randomness, the public base URL the
 * links are built on, the budgets, each hospital's recorded export mechanism, and `deliver` — the
 * seam where composition plugs the translation stage (translate → sign). Until the translator is
 * wired, composition passes signOnlyDeliver (consent-deliver.ts).
 */
import type { Bundle } from '../fhir/types.js';
import type { HospitalMechanism, Permit, RandomBytes } from '../consent/index.js';

export type TargetLanguage = 'en' | 'zh-CN';

export interface DeliverOptions {
  /** Language the recipient asked for (Accept-Language; default en). */
  target: TargetLanguage;
  /** The permit the document is delivered under (already applied to the bundle by the caller). */
  decision: Permit;
  consentId: string;
  emergency?: boolean;
}

/** Translate (when available) and sign with the gateway key; returns the Bundle to serve. */
export type Deliver = (bundle: Bundle, options: DeliverOptions) => Promise<Bundle>;

export interface ConsentDeps {
  /** External base URL (no trailing slash): links, viewer and management pages. */
  publicBaseUrl: string;
  randomBytes: RandomBytes;
  /** Lifetime wrong-passcode budget of a consent link (LINK_ATTEMPT_BUDGET). */
  passcodeBudget: number;
  /** Validity of a patient invitation (INVITATION_HOURS). */
  invitationHours: number;
  /** Recorded transfer mechanism of a hospital, by its Organization id (undefined: none). */
  exportMechanism(hospitalOrganizationId: string): HospitalMechanism | undefined;
  deliver: Deliver;
}
