/**
 * Signed playback tokens: a short-lived JWT (RFC 7519, EdDSA over Ed25519, RFC 8037) that binds one
 * allowed decision — its id, person, camera, window, actions and obligations — so that a gateway can
 * admit the requests of that playback without asking again. The key is published as a JWK Set at
 * /.well-known/jwks.json under its RFC 7638 thumbprint. The header's `typ` tells these tokens apart
 * from the bearer tokens of the identity provider.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { createDecoder, createSigner, createVerifier } from 'fast-jwt';
import type { Action } from '../rules/access-rules.js';

export const PLAYBACK_TOKEN_TYPE = 'fw-playback+jwt';
export const PLAYBACK_AUDIENCE = 'footage-warden-gateway';

export interface PlaybackGrant {
  readonly decisionId: string;
  readonly person: string;
  readonly unit: string;
  readonly camera: string;
  readonly window: { readonly from: string; readonly to: string } | null;
  readonly actions: readonly Action[];
  readonly obligations: readonly string[];
  /** Milliseconds since the epoch; the token's `exp` (rounded down to a second). */
  readonly expiresAt: number;
}

export interface PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
}

const decodeHeader = createDecoder({ complete: true });

/** Whether `token` claims to be a playback token (not whether it is a valid one). */
export function isPlaybackToken(token: string): boolean {
  try {
    return (decodeHeader(token) as { header?: { typ?: unknown } }).header?.typ === PLAYBACK_TOKEN_TYPE;
  } catch {
    return false;
  }
}

export class PlaybackTokens {
  readonly jwk: PublicJwk;
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly verify: (token: string) => Record<string, unknown>;

  constructor(privateKey: KeyObject, issuer: string) {
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the playback token key must be Ed25519');
    const publicKey = createPublicKey(privateKey);
    const { x } = publicKey.export({ format: 'jwk' }) as { x: string };
    // RFC 7638: the thumbprint hashes the required members in lexicographic order, no spaces.
    const kid = createHash('sha256')
      .update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x }))
      .digest('base64url');
    this.jwk = { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' };
    const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    this.sign = createSigner({
      key: privatePem,
      algorithm: 'EdDSA',
      kid,
      header: { alg: 'EdDSA', typ: PLAYBACK_TOKEN_TYPE },
      iss: issuer,
      aud: PLAYBACK_AUDIENCE,
    });
    this.verify = createVerifier({
      key: publicPem,
      algorithms: ['EdDSA'],
      allowedIss: issuer,
      allowedAud: PLAYBACK_AUDIENCE,
      requiredClaims: ['exp', 'jti', 'sub', 'unit', 'cam', 'act'],
      // The segments of one playback present the same token: verify it once.
      cache: 10_000,
    }) as (token: string) => Record<string, unknown>;
  }

  issue(grant: PlaybackGrant): string {
    return this.sign({
      jti: grant.decisionId,
      sub: grant.person,
      unit: grant.unit,
      cam: grant.camera,
      win: grant.window,
      act: grant.actions,
      obl: grant.obligations,
      exp: Math.floor(grant.expiresAt / 1000),
    });
  }

  /** The grant a token carries, or undefined when it is not a valid, unexpired playback token of ours. */
  check(token: string): PlaybackGrant | undefined {
    if (!isPlaybackToken(token)) return undefined;
    let claims: Record<string, unknown>;
    try {
      claims = this.verify(token);
    } catch {
      return undefined;
    }
    const { jti, sub, unit, cam, win, act, obl, exp } = claims;
    if (typeof jti !== 'string' || typeof sub !== 'string' || typeof unit !== 'string' || typeof cam !== 'string')
      return undefined;
    if (!Array.isArray(act) || !Array.isArray(obl) || typeof exp !== 'number') return undefined;
    const window = win as { from?: unknown; to?: unknown } | null;
    if (window !== null && (typeof window?.from !== 'string' || typeof window.to !== 'string')) return undefined;
    return {
      decisionId: jti,
      person: sub,
      unit,
      camera: cam,
      window: window === null ? null : { from: window.from as string, to: window.to as string },
      actions: act as Action[],
      obligations: obl as string[],
      expiresAt: exp * 1000,
    };
  }
}
