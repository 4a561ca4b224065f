import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8, type JWTPayload } from 'jose';
import { JwtVerifier, keyIdOf, UnauthenticatedError, readPublicKeyPem } from './jwt-verifier';

const issuer = 'shop-user';
const audience = 'shop-api';

function keyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privatePem: privateKey, publicPem: publicKey };
}

const trusted = keyPair();
const stranger = keyPair();
const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

async function sign(claims: JWTPayload, options: { privatePem?: string; expiresIn?: string | number | null; kid?: string } = {}): Promise<string> {
  const key = await importPKCS8(options.privatePem ?? trusted.privatePem, 'EdDSA');
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', ...(options.kid ? { kid: options.kid } : {}) }).setIssuedAt();
  if (options.expiresIn !== null) jwt = jwt.setExpirationTime(options.expiresIn ?? '1h');
  return jwt.sign(key);
}

describe('JwtVerifier', () => {
  const userId = randomUUID();
  let verifier: JwtVerifier;

  beforeAll(async () => {
    verifier = await JwtVerifier.create({ publicKeyPem: trusted.publicPem, issuer, audience });
  });

  const rejects = async (header: string | undefined, message?: string): Promise<void> => {
    const attempt = verifier.verifyAuthorization(header);
    await expect(attempt).rejects.toBeInstanceOf(UnauthenticatedError);
    if (message) await expect(attempt).rejects.toThrow(message);
  };

  it('accepts a token signed with the trusted key, for the right issuer and audience, and yields its subject', async () => {
    const token = await sign({ sub: userId, iss: issuer, aud: audience });
    await expect(verifier.verifyAuthorization(`Bearer ${token}`)).resolves.toEqual({ userId });
  });

  it('refuses a request without an Authorization header', async () => {
    await rejects(undefined, 'Missing bearer token');
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    await rejects('Basic dXNlcjpwYXNz', 'Authorization must be "Bearer <token>"');
  });

  it('refuses an expired token', async () => {
    const token = await sign({ sub: userId, iss: issuer, aud: audience }, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    await rejects(`Bearer ${token}`, 'Token expired');
  });

  it('refuses a token whose payload was tampered with after signing', async () => {
    const token = await sign({ sub: userId, iss: issuer, aud: audience });
    const [header, , signature] = token.split('.');
    const forged = b64({ sub: randomUUID(), iss: issuer, aud: audience, exp: Math.floor(Date.now() / 1000) + 3600 });
    await rejects(`Bearer ${header}.${forged}.${signature}`, 'Invalid token');
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const claims = { sub: userId, iss: issuer, aud: audience, exp: Math.floor(Date.now() / 1000) + 3600 };
    await rejects(`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`);
  });

  it('refuses a token signed with HS256 using the public key as the secret (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(trusted.publicPem);
    const token = await new SignJWT({ sub: userId, iss: issuer, aud: audience }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(secret);
    await rejects(`Bearer ${token}`, 'Invalid token');
  });

  it('refuses a token signed by another key', async () => {
    const token = await sign({ sub: userId, iss: issuer, aud: audience }, { privatePem: stranger.privatePem });
    await rejects(`Bearer ${token}`, 'Invalid token');
  });

  it('refuses a token for another audience', async () => {
    const token = await sign({ sub: userId, iss: issuer, aud: 'another-api' });
    await rejects(`Bearer ${token}`, 'Invalid token');
  });

  it('refuses a token from another issuer', async () => {
    const token = await sign({ sub: userId, iss: 'someone-else', aud: audience });
    await rejects(`Bearer ${token}`, 'Invalid token');
  });

  it('refuses a token without an expiry', async () => {
    const token = await sign({ sub: userId, iss: issuer, aud: audience }, { expiresIn: null });
    await rejects(`Bearer ${token}`, 'Invalid token');
  });

  it('refuses a token whose subject is not a user id', async () => {
    const token = await sign({ sub: 'admin', iss: issuer, aud: audience });
    await rejects(`Bearer ${token}`, 'Invalid token subject');
  });

  it('stops accepting a remembered token once it expires', async () => {
    const exp = Math.floor(Date.now() / 1000) + 1;
    const token = await sign({ sub: userId, iss: issuer, aud: audience }, { expiresIn: exp });
    await expect(verifier.verify(token)).resolves.toEqual({ userId });
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 10));
    await expect(verifier.verify(token)).rejects.toThrow('Token expired');
  });

  describe('with a key ring (a signing key being rotated)', () => {
    const next = keyPair();
    let ring: JwtVerifier;
    const kidOf = async (publicPem: string): Promise<string> => keyIdOf(createPublicKey(publicPem));
    const claims = { sub: userId, iss: issuer, aud: audience };

    beforeAll(async () => {
      ring = await JwtVerifier.create({ publicKeyPem: `${trusted.publicPem}\n${next.publicPem}`, issuer, audience });
    });

    it('knows each key by its RFC 7638 thumbprint, in the order given', async () => {
      expect(ring.keyIds).toEqual([await kidOf(trusted.publicPem), await kidOf(next.publicPem)]);
    });

    it('accepts tokens of either key, picked by kid, and tokens without a kid by trying each key', async () => {
      const byOld = await sign(claims, { kid: await kidOf(trusted.publicPem) });
      const byNew = await sign(claims, { privatePem: next.privatePem, kid: await kidOf(next.publicPem) });
      const byNewWithoutKid = await sign(claims, { privatePem: next.privatePem });
      for (const token of [byOld, byNew, byNewWithoutKid]) await expect(ring.verify(token)).resolves.toEqual({ userId });
    });

    it('refuses a kid it does not know, a token whose kid names another key than the one that signed it, and a stranger without kid', async () => {
      const unknownKid = await sign(claims, { privatePem: stranger.privatePem, kid: await kidOf(stranger.publicPem) });
      const wrongKid = await sign(claims, { privatePem: next.privatePem, kid: await kidOf(trusted.publicPem) });
      const strangerWithoutKid = await sign(claims, { privatePem: stranger.privatePem });
      for (const token of [unknownKid, wrongKid, strangerWithoutKid]) await expect(ring.verify(token)).rejects.toThrow('Invalid token');
    });

    it('refuses a PEM that holds no public key', async () => {
      await expect(JwtVerifier.create({ publicKeyPem: 'not a key', issuer, audience })).rejects.toThrow('no SPKI PEM block');
    });
  });
});

describe('readPublicKeyPem', () => {
  it('prefers the PEM given inline over the file', () => {
    expect(readPublicKeyPem({ GATEWAY_JWT_PUBLIC_KEY: trusted.publicPem, GATEWAY_JWT_PUBLIC_KEY_FILE: '/nonexistent' })).toBe(trusted.publicPem);
  });

  it('names the file it cannot read', () => {
    expect(() => readPublicKeyPem({ GATEWAY_JWT_PUBLIC_KEY_FILE: '/nonexistent/key.pem' })).toThrow('/nonexistent/key.pem');
  });
});
