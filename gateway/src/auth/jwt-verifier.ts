/**
 * API gateway pattern (docs/patterns/01-api-gateway.md): the gateway authenticates every request once, at
 * the edge. Tokens are Ed25519-signed JWTs from the user service; the algorithm, issuer and audience are
 * pinned and `exp` is required, so an `alg: none`, re-signed or foreign token never reaches a service.
 */
import { readFileSync } from 'node:fs';
import { importSPKI, jwtVerify, type JWTPayload } from 'jose';
import { DomainError } from '@shop/platform';

export interface JwtVerifierOptions {
  readonly publicKeyPem: string;
  readonly issuer: string;
  readonly audience: string;
  /** Verified tokens remembered (until their `exp`) so a busy client costs one signature check, not one per request. */
  readonly cacheSize?: number;
}

export interface Principal {
  /** The user id, from the token's `sub`: the only source of identity the gateway passes on. */
  readonly userId: string;
}

interface CachedPrincipal {
  readonly principal: Principal;
  readonly expiresAtMs: number;
}

type VerificationKey = Awaited<ReturnType<typeof importSPKI>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ALGORITHM = 'EdDSA';

export class UnauthenticatedError extends DomainError {
  constructor(message: string) {
    super('AUTH.UNAUTHENTICATED', 'unauthenticated', message);
    this.name = 'UnauthenticatedError';
  }
}

/** The PEM from GATEWAY_JWT_PUBLIC_KEY, else from the file GATEWAY_JWT_PUBLIC_KEY_FILE names. */
export function readPublicKeyPem(config: { GATEWAY_JWT_PUBLIC_KEY?: string; GATEWAY_JWT_PUBLIC_KEY_FILE?: string }): string {
  if (config.GATEWAY_JWT_PUBLIC_KEY) return config.GATEWAY_JWT_PUBLIC_KEY;
  if (!config.GATEWAY_JWT_PUBLIC_KEY_FILE) throw new Error('no JWT public key configured');
  try {
    return readFileSync(config.GATEWAY_JWT_PUBLIC_KEY_FILE, 'utf8');
  } catch (error) {
    throw new Error(`cannot read GATEWAY_JWT_PUBLIC_KEY_FILE ${config.GATEWAY_JWT_PUBLIC_KEY_FILE}: ${(error as Error).message}`);
  }
}

export class JwtVerifier {
  private readonly cache = new Map<string, CachedPrincipal>();
  private readonly cacheSize: number;

  private constructor(
    private readonly key: VerificationKey,
    private readonly options: JwtVerifierOptions,
  ) {
    this.cacheSize = options.cacheSize ?? 10_000;
  }

  static async create(options: JwtVerifierOptions): Promise<JwtVerifier> {
    const key = await importSPKI(options.publicKeyPem, ALGORITHM);
    return new JwtVerifier(key, options);
  }

  /** Verifies the value of an Authorization header; any problem is a 401 that says what is wrong, never why in detail. */
  async verifyAuthorization(header: string | undefined): Promise<Principal> {
    if (!header) throw new UnauthenticatedError('Missing bearer token');
    const match = /^Bearer +([A-Za-z0-9_.~+/=-]+)$/i.exec(header);
    if (!match) throw new UnauthenticatedError('Authorization must be "Bearer <token>"');
    return this.verify(match[1]);
  }

  async verify(token: string): Promise<Principal> {
    const now = Date.now();
    const cached = this.cache.get(token);
    if (cached) {
      if (cached.expiresAtMs > now) return cached.principal;
      this.cache.delete(token);
      throw new UnauthenticatedError('Token expired');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new UnauthenticatedError(code === 'ERR_JWT_EXPIRED' ? 'Token expired' : 'Invalid token');
    }
    if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) throw new UnauthenticatedError('Invalid token subject');
    const principal: Principal = { userId: payload.sub.toLowerCase() };
    this.remember(token, principal, (payload.exp as number) * 1000);
    return principal;
  }

  private remember(token: string, principal: Principal, expiresAtMs: number): void {
    if (this.cache.size >= this.cacheSize) {
      // Map keeps insertion order: drop the oldest entry.
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(token, { principal, expiresAtMs });
  }
}
