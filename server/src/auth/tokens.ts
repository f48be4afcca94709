import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { EmbedUser, Role } from '../../../core/contracts.js';
import { unauthenticated } from '../http/errors.js';

const ISSUER = 'live-leads';
const AUDIENCE = 'live-leads-widget';

export interface TokenClaims {
  orgId: string;
  user: EmbedUser;
  expiresAt: Date;
}

/** Short-lived HS256 embed tokens for one host-CRM user, signed with the server's TOKEN_SECRET. */
export class TokenService {
  private readonly key: Uint8Array;
  constructor(
    secret: string,
    private readonly defaultTtlSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async mint(orgId: string, user: EmbedUser, ttlSeconds = this.defaultTtlSeconds): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const exp = issuedAt + ttlSeconds;
    const token = await new SignJWT({ org: orgId, name: user.name, role: user.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(user.id)
      .setIssuedAt(issuedAt)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** Verifies a token; throws 401 TOKEN_EXPIRED for an expired one and 401 UNAUTHENTICATED for anything else wrong. */
  async verify(token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        currentDate: this.now(),
      });
      const role = payload.role as Role;
      if (typeof payload.org !== 'string' || typeof payload.sub !== 'string' || (role !== 'agent' && role !== 'admin')) {
        throw unauthenticated('The token is missing required claims.');
      }
      return {
        orgId: payload.org,
        user: { id: payload.sub, name: typeof payload.name === 'string' ? payload.name : payload.sub, role },
        expiresAt: new Date((payload.exp ?? 0) * 1000),
      };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated('The token has expired: fetch a new one and retry.', 'TOKEN_EXPIRED');
      if (err instanceof Error && err.name === 'AppError') throw err;
      throw unauthenticated('The token is not valid.');
    }
  }
}
