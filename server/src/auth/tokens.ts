import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { EmbedUser, Role } from '../../../core/contracts.js';
import { unauthenticated } from '../http/errors.js';

const ISSUER = 'live-leads';
const AUDIENCE = 'live-leads-widget';
/** The longest lifetime a token may have (the mint route's limit): a token claiming more is refused however it was signed. */
export const MAX_TOKEN_LIFETIME_SECONDS = 86_400;
/** Clock skew tolerated between this server's instances when checking that `iat` is not in the future. */
const CLOCK_TOLERANCE_SECONDS = 60;

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
    const token = await new SignJWT({ org: orgId, name: user.name, role: user.role, ...(user.phone ? { phone: user.phone } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(user.id)
      .setIssuedAt(issuedAt)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /**
   * Tokens verified before, until they expire: a board sends the same token with every request, and the signature check
   * (an async WebCrypto HMAC) was the largest single cost of a board page after the database. A token is immutable, so
   * its claims cannot change; the expiry is checked again on every hit. Bounded: cleared when it grows past 10,000.
   */
  private readonly verified = new Map<string, TokenClaims>();

  /** Verifies a token; throws 401 TOKEN_EXPIRED for an expired one and 401 UNAUTHENTICATED for anything else wrong. */
  async verify(token: string): Promise<TokenClaims> {
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.expiresAt.getTime() > this.now().getTime()) return hit;
      this.verified.delete(token);
    }
    const claims = await this.verifySignature(token);
    // shared by every request with this token from now on: nobody may change it
    Object.freeze(claims.user);
    Object.freeze(claims);
    if (this.verified.size >= 10_000) this.verified.clear();
    this.verified.set(token, claims);
    return claims;
  }

  private async verifySignature(token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        currentDate: this.now(),
        // Every token must say when it was issued and when it ends: one without `exp` would never expire, and one
        // issued in the future (or living longer than a mint can grant) was not minted by this server's rules.
        requiredClaims: ['exp', 'iat'],
      });
      const nowSeconds = this.now().getTime() / 1000;
      if (payload.iat! > nowSeconds + CLOCK_TOLERANCE_SECONDS) throw unauthenticated('The token says it was issued in the future.');
      if (payload.exp! - payload.iat! > MAX_TOKEN_LIFETIME_SECONDS) throw unauthenticated('The token claims a longer lifetime than any token this server mints.');
      const role = payload.role as Role;
      if (typeof payload.org !== 'string' || typeof payload.sub !== 'string' || (role !== 'agent' && role !== 'admin')) {
        throw unauthenticated('The token is missing required claims.');
      }
      return {
        orgId: payload.org,
        user: {
          id: payload.sub,
          name: typeof payload.name === 'string' ? payload.name : payload.sub,
          role,
          // The user's own phone for "Connect me" calls (server/src/calls/connect.ts), when the host put one in.
          ...(typeof payload.phone === 'string' && payload.phone ? { phone: payload.phone } : {}),
        },
        expiresAt: new Date((payload.exp ?? 0) * 1000),
      };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated('The token has expired: fetch a new one and retry.', 'TOKEN_EXPIRED');
      if (err instanceof Error && err.name === 'AppError') throw err;
      throw unauthenticated('The token is not valid.');
    }
  }
}
