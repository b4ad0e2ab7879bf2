/**
 * The one error type of the gateway and the one table that maps its stable codes to an HTTP
 * status, a FHIR `OperationOutcome.issue.code` and a CLI exit code.
 *
 * Invariants: a code is stable once published (tests and clients branch on it, never on message
 * text); `message` is written for the client and never contains a library's own message — the
 * library error travels in `cause` and is only logged.
 */

export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

/** One problem found in a request, with its FHIRPath `expression` (FHIR R4 OperationOutcome.issue). */
export interface Issue {
  severity: IssueSeverity;
  /** FHIR issue type (http://hl7.org/fhir/R4/valueset-issue-type.html). */
  code: string;
  /** Human message, English. */
  diagnostics: string;
  /** Chinese message where the rule is a Chinese one. */
  diagnosticsZh?: string;
  /** FHIRPath (or XPath for XML input) locations. */
  expression?: string[];
  /** A stable machine code for the rule (carried in OperationOutcome.issue.details.coding). */
  rule?: string;
}

interface ErrorSpec {
  status: number;
  issueType: string;
  exitCode: number;
}

/**
 * Status choices follow ../shared/ARCHITECTURE.md "Errors": 400 malformed, 401 unauthenticated,
 * 403/404 not permitted (404 where existence must stay hidden), 413, 415, 422 profile or signature
 * failure, 409 conflict.
 */
export const ERROR_TABLE = {
  MALFORMED_JSON: { status: 400, issueType: 'structure', exitCode: 2 },
  MALFORMED_XML: { status: 400, issueType: 'structure', exitCode: 2 },
  BAD_REQUEST: { status: 400, issueType: 'invalid', exitCode: 2 },
  INVALID_PARAMETER: { status: 400, issueType: 'value', exitCode: 2 },
  UNAUTHENTICATED: { status: 401, issueType: 'login', exitCode: 4 },
  TOKEN_INVALID: { status: 401, issueType: 'security', exitCode: 4 },
  PASSCODE_WRONG: { status: 401, issueType: 'security', exitCode: 4 },
  FORBIDDEN: { status: 403, issueType: 'forbidden', exitCode: 4 },
  EXPORT_LIMIT: { status: 403, issueType: 'business-rule', exitCode: 4 },
  NOT_FOUND: { status: 404, issueType: 'not-found', exitCode: 5 },
  METHOD_NOT_ALLOWED: { status: 405, issueType: 'not-supported', exitCode: 2 },
  NOT_ACCEPTABLE: { status: 406, issueType: 'not-supported', exitCode: 2 },
  CONFLICT: { status: 409, issueType: 'duplicate', exitCode: 6 },
  GONE: { status: 410, issueType: 'deleted', exitCode: 5 },
  TOO_LARGE: { status: 413, issueType: 'too-costly', exitCode: 2 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, issueType: 'not-supported', exitCode: 2 },
  INVALID_RESOURCE: { status: 422, issueType: 'invalid', exitCode: 3 },
  VALIDATION_FAILED: { status: 422, issueType: 'invalid', exitCode: 3 },
  SIGNATURE_INVALID: { status: 422, issueType: 'security', exitCode: 3 },
  CERTIFICATE_UNTRUSTED: { status: 422, issueType: 'security', exitCode: 3 },
  UNKNOWN_PROFILE: { status: 422, issueType: 'not-supported', exitCode: 3 },
  CONVERSION_FAILED: { status: 422, issueType: 'invalid', exitCode: 3 },
  TOO_MANY_ATTEMPTS: { status: 429, issueType: 'throttled', exitCode: 4 },
  CONFIG_INVALID: { status: 500, issueType: 'exception', exitCode: 78 },
  STORE_UNAVAILABLE: { status: 503, issueType: 'transient', exitCode: 69 },
  AUDIT_FAILED: { status: 503, issueType: 'transient', exitCode: 69 },
  INTERNAL: { status: 500, issueType: 'exception', exitCode: 70 },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export interface GatewayErrorOptions {
  /** Issues to report; when absent a single issue is built from the message. */
  issues?: Issue[];
  /** The underlying (library) error: logged, never shown to a client. */
  cause?: unknown;
  /** FHIRPath of the offending element for the single default issue. */
  expression?: string;
  /** Extra response headers (e.g. WWW-Authenticate). */
  headers?: Record<string, string>;
  /** Extra JSON members for non-FHIR endpoints (e.g. SHL `remainingAttempts`). */
  details?: Record<string, unknown>;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly issues: Issue[];
  readonly headers: Record<string, string>;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (!(code in ERROR_TABLE)) throw new TypeError(`unknown error code ${String(code)}`);
    this.name = 'GatewayError';
    this.code = code;
    this.headers = options.headers ?? {};
    this.details = options.details ?? {};
    this.issues = options.issues?.length
      ? options.issues
      : [
          {
            severity: 'error',
            code: ERROR_TABLE[code].issueType,
            diagnostics: message,
            ...(options.expression ? { expression: [options.expression] } : {}),
          },
        ];
  }

  get status(): number {
    return ERROR_TABLE[this.code].status;
  }

  get exitCode(): number {
    return ERROR_TABLE[this.code].exitCode;
  }
}

export function isGatewayError(e: unknown): e is GatewayError {
  return e instanceof GatewayError;
}
