// Any `scheme:[//]user:password@` in free text, the password greedy up to the token's last @
// (so a raw p@ss password is hidden whole), and password-like query parameters.
const USERINFO = /\b([a-z][a-z0-9+.-]*:(?:\/\/)?)([^\s:@/]*):(\S*)@/gi;
const SECRET_PARAMETER =
  /([?&;](?:[a-z_]*pass[a-z_]*|[a-z_]*secret[a-z_]*|[a-z_]*token[a-z_]*|[a-z_]*key))=[^&\s]*/gi;

/** A connection string with its password (and any token-like query values) replaced, for logs. */
export function redactUrl(raw: string): string {
  // Only URLs with an authority have a password field; `postgres:u:pw@db/x` parses too, with
  // the password in its path, so anything else goes through the text redaction.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return redactSecrets(raw);
  try {
    const parsed = new URL(raw);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    return redactSecrets(raw);
  }
}

/**
 * Free text (an error message, a log line) with the password of every connection string in it
 * replaced: the last line of defence for messages that quote a URL Freshen did not build.
 */
export function redactSecrets(text: string): string {
  return text.replace(USERINFO, '$1$2:***@').replace(SECRET_PARAMETER, '$1=***');
}
