import { jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../ports.js';

interface AccessClaims {
  userId: string;
  sessionId: string;
}

export interface AccessTokens {
  readonly ttlS: number;
  sign(claims: AccessClaims): Promise<string>;
  /** The claims of a well-signed, unexpired token; null for anything else. */
  verify(token: string): Promise<AccessClaims | null>;
}

const ISSUER = 'pixsim';
const AUDIENCE = 'pixsim-api';
const SESSION_ID = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * HS256 JWTs. The token names a session (`sid`), and the session, not the token,
 * decides whether it is still good: logout deletes nothing from the client but
 * revokes the session, which every replica checks on every request.
 */
export function createAccessTokens(opts: { secret: string; ttlS: number; clock: Clock }): AccessTokens {
  const key = new TextEncoder().encode(opts.secret);
  return {
    ttlS: opts.ttlS,
    async sign({ userId, sessionId }) {
      const now = Math.floor(opts.clock().getTime() / 1000);
      return new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + opts.ttlS)
        .sign(key);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate: opts.clock(),
          requiredClaims: ['exp', 'sub', 'sid'],
        });
        const sid = payload.sid;
        if (typeof sid !== 'string' || !SESSION_ID.test(sid) || !payload.sub) return null;
        return { userId: payload.sub, sessionId: sid };
      } catch {
        return null; // bad signature, expired, malformed: all just "not a token we know"
      }
    },
  };
}
