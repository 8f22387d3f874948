/**
 * A player's session credential: the playback token (gate/playback-tokens.ts) carried by the player
 * itself, so that neither the player nor the page needs to add a header to every playlist, segment
 * and key request. Two carriers:
 *
 * - a signed URL prefix: `/s/<token>/<footage path>`, so that relative URIs in a playlist resolve
 *   under the same prefix and every request of the session carries the token in its path;
 * - a cookie: when a playback token arrives in a URI's `token` parameter, the gate answers with an
 *   HttpOnly, `SameSite=Strict`, `Secure` cookie scoped to the footage path's fixed part (the
 *   camera and window), which the player's later requests under that path carry.
 *
 * Either way the token is checked for every request against what is served: a credential for one
 * camera and window opens no other. Pure: no I/O.
 */

/** The first segment of a signed URL prefix. */
export const SESSION_PREFIX = '/s/';

/** The cookie that carries a playback token. */
export const SESSION_COOKIE = 'fw_playback';

/** A compact JWS: three base64url parts (RFC 7515 §7.1). Nothing here is percent-encoded. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export type SessionPrefix =
  | { readonly kind: 'none' }
  | { readonly kind: 'prefix'; readonly token: string; readonly rest: string }
  | { readonly kind: 'malformed' };

/**
 * Splits a raw request URI (path and query, as the client sent it) into the token of its signed
 * prefix and the rest. A URI that starts with the prefix but does not carry one compact JWS
 * followed by `/` is malformed: it is refused, never read as an ordinary path.
 */
export function splitSessionPrefix(raw: string): SessionPrefix {
  if (!raw.startsWith(SESSION_PREFIX)) return { kind: 'none' };
  const after = raw.slice(SESSION_PREFIX.length);
  const slash = after.indexOf('/');
  if (slash <= 0) return { kind: 'malformed' };
  const token = after.slice(0, slash);
  if (!COMPACT_JWS.test(token)) return { kind: 'malformed' };
  return { kind: 'prefix', token, rest: after.slice(slash) };
}

/**
 * The values of the session cookie in a Cookie header (RFC 6265 §5.4), most specific path first
 * as browsers send them. Values that are not a compact JWS are dropped.
 */
export function sessionCookies(header: string | undefined): string[] {
  if (header === undefined) return [];
  const found: string[] = [];
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals === -1 || pair.slice(0, equals).trim() !== SESSION_COOKIE) continue;
    const value = pair.slice(equals + 1).trim();
    if (COMPACT_JWS.test(value)) found.push(value);
  }
  return found;
}

/** A Set-Cookie value carrying `token` for requests under `path` until `expiresAt` (ms since the epoch). */
export function sessionCookie(token: string, path: string, expiresAt: number, now: number = Date.now()): string {
  const maxAge = Math.max(0, Math.floor((expiresAt - now) / 1000));
  return `${SESSION_COOKIE}=${token}; Path=${path}; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Strict`;
}
