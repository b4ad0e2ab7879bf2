/**
 * Public surface of the trust stage: trust list, X.509 chains, document signatures, client
 * authentication and access tokens. Other code imports from here, not from the files behind it.
 */
export * from './x509.js';
export * from './scopes.js';
export * from './trust-list.js';
export * from './trust-list-file.js';
export * from './document-signature.js';
export * from './tokens.js';
export * from './smart-configuration.js';
