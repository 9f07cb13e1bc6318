/** Why a TLS client refused the server's certificate, as Node's TLS layer reports it. */
export interface TlsCertificateProblem {
  /** `untrusted`: no trusted authority signed it (or it expired); `hostname`: it names other hosts. */
  kind: 'untrusted' | 'hostname';
  /** Node's error code, e.g. SELF_SIGNED_CERT_IN_CHAIN or ERR_TLS_CERT_ALTNAME_INVALID. */
  code: string;
  /** For `hostname`: the name checked and the names the certificate lists. */
  host?: string;
  names?: string;
}

/** Node's codes for a server certificate no trusted authority vouches for. */
const UNTRUSTED_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

/**
 * The certificate problem somewhere in `error`'s cause chain, recognised by Node's error code
 * (never by message text), for the one-line explanations of every client (Redis, Postgres).
 */
export function tlsCertificateProblemOf(error: unknown): TlsCertificateProblem | undefined {
  const seen = new Set<unknown>();
  for (let link = error; link && typeof link === 'object' && !seen.has(link);) {
    seen.add(link);
    const { code, host, cert, cause } = link as {
      code?: string;
      host?: string;
      cert?: { subjectaltname?: string };
      cause?: unknown;
    };
    if (code && UNTRUSTED_CODES.has(code)) return { kind: 'untrusted', code };
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      return {
        kind: 'hostname',
        code,
        ...(host !== undefined && { host }),
        ...(cert?.subjectaltname !== undefined && { names: cert.subjectaltname }),
      };
    }
    link = cause;
  }
  return undefined;
}
