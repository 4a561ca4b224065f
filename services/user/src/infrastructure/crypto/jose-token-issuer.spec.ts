import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, exportJWK, jwtVerify } from 'jose';
import { JoseTokenIssuer } from './jose-token-issuer';

describe('JoseTokenIssuer', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const issuer = new JoseTokenIssuer({ privateKey, issuer: 'shop-user', audience: 'shop-api', ttlSeconds: 900 });
  const userId = 'a11ce000-0000-4000-8000-000000000001';

  it('signs an EdDSA JWT that verifies with the public key, issuer and audience', async () => {
    const { accessToken, expiresIn } = await issuer.issue({ userId });

    // The kid is the public key's RFC 7638 thumbprint: what the gateway's key ring knows the key by.
    expect(decodeProtectedHeader(accessToken)).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: await calculateJwkThumbprint(await exportJWK(publicKey), 'sha256') });
    const { payload } = await jwtVerify(accessToken, publicKey, { algorithms: ['EdDSA'], issuer: 'shop-user', audience: 'shop-api' });
    expect(payload.sub).toBe(userId);
    expect(payload.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(payload.exp).toBe((payload.iat ?? 0) + 900);
    expect(expiresIn).toBe(900);
  });

  it('gives every token its own jti', async () => {
    const tokens = await Promise.all([issuer.issue({ userId }), issuer.issue({ userId })]);
    const ids = await Promise.all(tokens.map(async ({ accessToken }) => (await jwtVerify(accessToken, publicKey)).payload.jti));
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('sets iat from its clock and exp the time to live later', async () => {
    const fixed = new JoseTokenIssuer({ privateKey, issuer: 'shop-user', audience: 'shop-api', ttlSeconds: 60, now: () => new Date('2026-11-27T12:00:00.000Z') });
    const { accessToken } = await fixed.issue({ userId });
    const { payload } = await jwtVerify(accessToken, publicKey, { currentDate: new Date('2026-11-27T12:00:30.000Z') });
    expect(payload.iat).toBe(Date.parse('2026-11-27T12:00:00.000Z') / 1000);
    expect(payload.exp).toBe(Date.parse('2026-11-27T12:01:00.000Z') / 1000);
  });

  it('issues tokens that another key does not verify', async () => {
    const { accessToken } = await issuer.issue({ userId });
    const other = generateKeyPairSync('ed25519').publicKey;
    await expect(jwtVerify(accessToken, other)).rejects.toThrow(/signature verification failed/);
  });
});
