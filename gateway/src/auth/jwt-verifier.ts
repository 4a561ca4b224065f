/**
 * API gateway pattern (docs/patterns/01-api-gateway.md): the gateway authenticates every request once, at
 * the edge. Tokens are Ed25519-signed JWTs from the user service; the algorithm, issuer and audience are
 * pinned and `exp` is required, so an `alg: none`, re-signed or foreign token never reaches a service.
 *
 * The trusted keys are a key ring: one or more SPKI PEM blocks, each known by its RFC 7638 thumbprint, which the user
 * service puts in its tokens' `kid` header. A signing key is rotated without logging anyone out: the gateway trusts
 * the old and the new key, user signs with the new one, and the old one is dropped once its last token has expired
 * (docs/deployment.md). A token without a `kid` (signed before kids were set) is tried against each key.
 */
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, decodeProtectedHeader, exportJWK, importSPKI, jwtVerify, type JWTPayload } from 'jose';
import { DomainError } from '@shop/platform';

export interface JwtVerifierOptions {
  /** One or more SPKI PEM public keys, one after the other. */
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

interface TrustedKey {
  /** RFC 7638 JWK thumbprint (SHA-256), the `kid` user puts in its tokens. */
  readonly kid: string;
  readonly key: VerificationKey;
}

const PEM_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g;

/** The thumbprint by which a key is known in a token's `kid` header (RFC 7638, SHA-256). */
export async function keyIdOf(key: Parameters<typeof exportJWK>[0]): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(key), 'sha256');
}

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
    private readonly keys: readonly TrustedKey[],
    private readonly options: JwtVerifierOptions,
  ) {
    this.cacheSize = options.cacheSize ?? 10_000;
  }

  static async create(options: JwtVerifierOptions): Promise<JwtVerifier> {
    const pems = options.publicKeyPem.match(PEM_BLOCK) ?? [];
    if (pems.length === 0) throw new Error('the JWT public key holds no SPKI PEM block (-----BEGIN PUBLIC KEY-----)');
    const keys = await Promise.all(
      pems.map(async (pem) => {
        const key = await importSPKI(pem, ALGORITHM, { extractable: true });
        return { kid: await keyIdOf(key), key };
      }),
    );
    return new JwtVerifier(keys, options);
  }

  /** The thumbprints of the trusted keys, in the order configured. */
  get keyIds(): readonly string[] {
    return this.keys.map((trusted) => trusted.kid);
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
    const payload = await this.verifySignedPayload(token);
    if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) throw new UnauthenticatedError('Invalid token subject');
    const principal: Principal = { userId: payload.sub.toLowerCase() };
    this.remember(token, principal, (payload.exp as number) * 1000);
    return principal;
  }

  /** The token's claims, checked against the key its `kid` names, or each trusted key when it names none. */
  private async verifySignedPayload(token: string): Promise<JWTPayload> {
    let kid: unknown;
    try {
      ({ kid } = decodeProtectedHeader(token));
    } catch {
      throw new UnauthenticatedError('Invalid token');
    }
    const candidates = kid === undefined ? this.keys : this.keys.filter((trusted) => trusted.kid === kid);
    if (candidates.length === 0) throw new UnauthenticatedError('Invalid token');
    let failure: unknown;
    for (const { key } of candidates) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALGORITHM],
          issuer: this.options.issuer,
          audience: this.options.audience,
          requiredClaims: ['exp', 'sub'],
        });
        return payload;
      } catch (error) {
        failure = error;
        // Only a signature made by another key is worth trying the next key for; any other refusal is final.
        if ((error as { code?: string }).code !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') break;
      }
    }
    const code = (failure as { code?: string }).code;
    throw new UnauthenticatedError(code === 'ERR_JWT_EXPIRED' ? 'Token expired' : 'Invalid token');
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
