/**
 * What every use case receives about the request besides its data: who asks, from where, and the
 * request id that ties the response, the log line and the audit entry together.
 */

export type Role = 'hospital' | 'provider' | 'admin';

export interface Principal {
  /** Participant (client) id from the trust list. */
  clientId: string;
  role: Role;
  /** Organization resource id of the participant. */
  organization: string;
  organizationName?: string;
  country?: string;
  scopes: string[];
}

export interface RequestContext {
  requestId: string;
  sourceAddress?: string;
  principal?: Principal;
}

export interface Clock {
  now(): Date;
}

export interface Ids {
  newId(): string;
}
