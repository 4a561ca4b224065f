// Generates the development JWT key pair (Ed25519, PEM) when none exists. Never used for production:
// there, the keys come from a secret store (see k8s/ and the README).
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const privatePath = resolve(process.env.USER_JWT_PRIVATE_KEY_FILE ?? '.local/keys/jwt-ed25519.private.pem');
const publicPath = resolve(process.env.GATEWAY_JWT_PUBLIC_KEY_FILE ?? '.local/keys/jwt-ed25519.public.pem');

if (existsSync(privatePath) && existsSync(publicPath)) {
  console.log(`  JWT keys present (${privatePath})`);
} else {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  mkdirSync(dirname(privatePath), { recursive: true });
  mkdirSync(dirname(publicPath), { recursive: true });
  writeFileSync(privatePath, privateKey, { mode: 0o600 });
  writeFileSync(publicPath, publicKey, { mode: 0o644 });
  console.log(`  generated a development JWT key pair in ${dirname(privatePath)}`);
}
