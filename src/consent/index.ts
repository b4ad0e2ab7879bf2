/**
 * Public API of the consent stage (PIPL art. 39 consents, SMART Health Links, consent tokens,
 * emergency access, export accounting). Everything here is pure or works through the ports in
 * ports.ts; composition code wires storage and HTTP.
 */
export * from './vocab.js';
export type * from './types.js';
export type * from './ports.js';
export { parseGrantParameters, type ParseGrantOptions } from './grant-params.js';
export { buildConsent, readConsent, withdrawConsent, consentKey, normalizeName, type Consent, type BuildConsentContext } from './model.js';
export { noticeText, rightsText, type NoticeContext } from './notice.js';
export { decideAccess, type AccessRequest, type Decision, type DenyReason, type Permit, type DecideInput } from './decision.js';
export * from './shl.js';
export * from './secrets.js';
export * from './token.js';
export * from './export-accounting.js';
export * from './link-access.js';
export * from './grant.js';
export * from './emergency.js';
export { linkQrPng, linkQrSvg } from './qr.js';
