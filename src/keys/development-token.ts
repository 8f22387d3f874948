/** Mints HS256 tokens from the development secret. Refused in production by the callers. */
import { createSigner } from 'fast-jwt';

export interface DevelopmentTokenRequest {
  readonly subject: string;
  readonly unit: string;
  readonly ttlSeconds: number;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  readonly unitClaim: string;
}

export function mintDevelopmentToken(secret: Buffer, request: DevelopmentTokenRequest): string {
  const sign = createSigner({
    key: secret,
    algorithm: 'HS256',
    expiresIn: request.ttlSeconds * 1000,
    ...(request.issuer === undefined ? {} : { iss: request.issuer }),
    ...(request.audience === undefined ? {} : { aud: request.audience }),
  });
  return sign({ sub: request.subject, [request.unitClaim]: request.unit });
}

/** Parses a duration such as 90s, 15m, 1h or 7d into seconds. */
export function parseTtl(text: string): number | undefined {
  const match = /^(\d{1,6})([smhd])$/.exec(text);
  if (match === null) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  return seconds > 0 && seconds <= 30 * 86400 ? seconds : undefined;
}
