/**
 * Bearer-token authentication with @fastify/jwt. Every route requires a token unless its config says
 * `public: true`. Algorithms are an allow-list fixed by the configured key: HS256 for the development
 * secret, RS256, ES256 or EdDSA for a public key or a JWKS (never `none`, never HS with a public key).
 */
import type { KeyObject } from 'node:crypto';
import jwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Caller } from '../rules/caller.js';
import type { JwksKeySource } from './jwks.js';
import { ProblemError } from './problem.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers without a token. */
    public?: boolean;
  }
  interface FastifyRequest {
    caller: Caller;
  }
  interface FastifyInstance {
    /**
     * The caller a bearer token names: the request's Authorization header, or `token` when a route
     * receives it elsewhere (a gateway's body). Throws ProblemError('unauthenticated').
     */
    identify(request: FastifyRequest, token?: string): Promise<Caller>;
  }
}

export type TokenKeys =
  | { readonly kind: 'secret'; readonly secret: Buffer }
  | { readonly kind: 'public-key'; readonly key: KeyObject }
  | { readonly kind: 'jwks'; readonly source: JwksKeySource };

export interface AuthenticationOptions {
  readonly keys: TokenKeys;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  readonly unitClaim: string;
  readonly clockSkewSeconds: number;
}

const ASYMMETRIC_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];
const MAX_CLAIM_LENGTH = 256;

/** The one algorithm a public key may verify. */
export function algorithmFor(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  throw new Error(`unsupported token key type ${key.asymmetricKeyType ?? 'unknown'}`);
}

function spki(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'spki' }).toString();
}

function jwtSecret(keys: TokenKeys) {
  switch (keys.kind) {
    case 'secret':
      return keys.secret;
    case 'public-key':
      return { public: spki(keys.key) };
    case 'jwks':
      return {
        public: async (_request: FastifyRequest, token: unknown) => {
          const header = (token as { header?: { kid?: unknown; alg?: unknown } }).header ?? {};
          if (typeof header.kid !== 'string') throw new ProblemError('unauthenticated', 'the token names no key');
          const key = await keys.source.keyFor(header.kid);
          if (key === undefined || algorithmFor(key) !== header.alg) {
            throw new ProblemError('unauthenticated', 'the token is signed by an unknown key');
          }
          return spki(key);
        },
      };
  }
}

function algorithms(keys: TokenKeys): string[] {
  if (keys.kind === 'secret') return ['HS256'];
  if (keys.kind === 'public-key') return [algorithmFor(keys.key)];
  return ASYMMETRIC_ALGORITHMS;
}

function claim(payload: Record<string, unknown>, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_CLAIM_LENGTH ? value : undefined;
}

/** The claims every token must carry: sub, exp, and iss and aud whenever they are configured. */
export function requiredClaims(options: Pick<AuthenticationOptions, 'issuer' | 'audience'>): string[] {
  return ['sub', 'exp', ...(options.issuer === undefined ? [] : ['iss']), ...(options.audience === undefined ? [] : ['aud'])];
}

async function authenticatePlugin(app: FastifyInstance, options: AuthenticationOptions): Promise<void> {
  await app.register(jwt, {
    // biome-ignore lint/suspicious/noExplicitAny: @fastify/jwt's Secret union does not name async public-key fetchers precisely.
    secret: jwtSecret(options.keys) as any,
    // The key fetcher needs the header (kid, alg), not only the payload.
    decode: { complete: true },
    verify: {
      algorithms: algorithms(options.keys) as never,
      ...(options.issuer === undefined ? {} : { allowedIss: options.issuer }),
      ...(options.audience === undefined ? {} : { allowedAud: options.audience }),
      // fast-jwt checks iss and aud only when a token carries them: a configured issuer or audience
      // is therefore also a required claim, so a token without it is refused, not waved through.
      requiredClaims: requiredClaims(options),
      clockTolerance: options.clockSkewSeconds * 1000,
    },
  });
  app.decorateRequest('caller', null as unknown as Caller);
  app.decorate('identify', async (request: FastifyRequest, token?: string): Promise<Caller> => {
    let payload: Record<string, unknown>;
    try {
      payload = await request.jwtVerify<Record<string, unknown>>(
        // @fastify/jwt merges per-call options with the registered ones; its types omit extractToken.
        token === undefined ? undefined : ({ extractToken: () => token } as never),
      );
    } catch (error) {
      const refusal = (error as { code?: string }).code ?? 'invalid';
      request.log.info({ refusal }, 'token refused');
      const missing = /The (\w+) claim is required/.exec((error as Error).message ?? '');
      if (missing !== null) {
        throw new ProblemError('unauthenticated', `the token must carry the ${missing[1]} claim`);
      }
      throw new ProblemError('unauthenticated', 'a valid bearer token is required');
    }
    const subject = claim(payload, 'sub');
    const unit = claim(payload, options.unitClaim);
    if (subject === undefined || unit === undefined) {
      throw new ProblemError('unauthenticated', `the token must carry the claims sub and ${options.unitClaim}`);
    }
    return { subject, unit };
  });
  app.addHook('onRequest', async (request) => {
    if (request.is404 || request.routeOptions.config.public === true) return;
    request.caller = await app.identify(request);
  });
}

export const authenticate = fp(authenticatePlugin, { name: 'authenticate', dependencies: ['errors'] });
