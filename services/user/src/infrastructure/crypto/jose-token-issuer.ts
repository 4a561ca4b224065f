import { createPublicKey, type KeyObject, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, SignJWT } from 'jose';
import { type IssuedToken, type TokenIssuer } from '../../application/ports/token-issuer.port';

export interface JoseTokenIssuerOptions {
  /** An Ed25519 private key (the gateway holds the matching public key). */
  readonly privateKey: KeyObject;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  readonly now?: () => Date;
}

/**
 * Access tokens are JWTs signed with EdDSA (Ed25519): small, fast to verify, and the gateway needs only
 * the public key, so no service but this one can mint a token. Claims: sub, iss, aud, iat, exp, jti. The header's
 * `kid` is the RFC 7638 thumbprint of the public key, by which the gateway picks the key from its key ring while a
 * signing key is being rotated (docs/deployment.md).
 */
export class JoseTokenIssuer implements TokenIssuer {
  private readonly keyId: Promise<string>;

  constructor(private readonly options: JoseTokenIssuerOptions) {
    this.keyId = exportJWK(createPublicKey(options.privateKey)).then((jwk) => calculateJwkThumbprint(jwk, 'sha256'));
  }

  async issue(subject: { readonly userId: string }): Promise<IssuedToken> {
    const issuedAt = Math.floor((this.options.now?.() ?? new Date()).getTime() / 1000);
    const accessToken = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: await this.keyId })
      .setSubject(subject.userId)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.options.ttlSeconds)
      .setJti(randomUUID())
      .sign(this.options.privateKey);
    return { accessToken, expiresIn: this.options.ttlSeconds };
  }
}
