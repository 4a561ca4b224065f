import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ConfigError } from '@shop/platform';
import { loadUserConfig } from './user.config';

const ed25519Pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ed448Pem = generateKeyPairSync('ed448').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const base = {
  USER_DATABASE_URL: 'postgres://user@127.0.0.1:5432/users',
  KAFKA_BROKERS: '127.0.0.1:9092',
  JWT_ISSUER: 'shop-user',
  JWT_AUDIENCE: 'shop-api',
};

function problemsOf(env: NodeJS.ProcessEnv): string {
  try {
    loadUserConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('user configuration', () => {
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'user-config-'));
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('loads the signing key from USER_JWT_PRIVATE_KEY and applies the defaults', () => {
    const config = loadUserConfig({ ...base, USER_JWT_PRIVATE_KEY: ed25519Pem });
    expect(config.jwtPrivateKey.asymmetricKeyType).toBe('ed25519');
    expect(config.jwtPrivateKey.type).toBe('private');
    expect(config.USER_JWT_TTL_SECONDS).toBe(3600);
    expect(config.USER_HTTP_PORT).toBe(3001);
    expect(config.USER_GRPC_PORT).toBe(50051);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it('requires KAFKA_BROKERS, where registrations are published, as a list of host:port', () => {
    expect(problemsOf({ ...base, KAFKA_BROKERS: undefined, USER_JWT_PRIVATE_KEY: ed25519Pem })).toContain('KAFKA_BROKERS is required');
    expect(problemsOf({ ...base, USER_JWT_PRIVATE_KEY: ed25519Pem, KAFKA_BROKERS: 'kafka' })).toContain('KAFKA_BROKERS is invalid');
  });

  it('keeps the inline PEM out of the loaded configuration', () => {
    const config = loadUserConfig({ ...base, USER_JWT_PRIVATE_KEY: ed25519Pem });
    expect(JSON.stringify(config)).not.toContain('PRIVATE KEY');
  });

  it('accepts a PEM whose line breaks arrive as \\n escapes', () => {
    const escaped = ed25519Pem.replaceAll('\n', '\\n');
    expect(loadUserConfig({ ...base, USER_JWT_PRIVATE_KEY: escaped }).jwtPrivateKey.asymmetricKeyType).toBe('ed25519');
  });

  it('reads USER_JWT_PRIVATE_KEY_FILE, resolving a relative path from the working directory', () => {
    const file = join(folder, 'private.pem');
    writeFileSync(file, ed25519Pem);
    const config = loadUserConfig({ ...base, USER_JWT_PRIVATE_KEY_FILE: relative(process.cwd(), file), USER_JWT_TTL_SECONDS: '900' });
    expect(config.jwtPrivateKey.asymmetricKeyType).toBe('ed25519');
    expect(config.USER_JWT_TTL_SECONDS).toBe(900);
  });

  it('names both key variables when neither is set', () => {
    const message = problemsOf(base);
    expect(message).toContain('USER_JWT_PRIVATE_KEY_FILE');
    expect(message).toContain('USER_JWT_PRIVATE_KEY ');
  });

  it('refuses both key variables at once, naming them', () => {
    const file = join(folder, 'both.pem');
    writeFileSync(file, ed25519Pem);
    const message = problemsOf({ ...base, USER_JWT_PRIVATE_KEY_FILE: file, USER_JWT_PRIVATE_KEY: ed25519Pem });
    expect(message).toMatch(/USER_JWT_PRIVATE_KEY is invalid: set only one of USER_JWT_PRIVATE_KEY_FILE .* or USER_JWT_PRIVATE_KEY/);
  });

  it('names USER_JWT_PRIVATE_KEY when its value is not a PEM key', () => {
    expect(problemsOf({ ...base, USER_JWT_PRIVATE_KEY: 'not a key' })).toContain(
      'USER_JWT_PRIVATE_KEY is invalid: does not parse as a PEM private key; expected an Ed25519 private key in PKCS#8 PEM',
    );
  });

  it('names USER_JWT_PRIVATE_KEY_FILE when the file holds a key of another type', () => {
    const file = join(folder, 'ed448.pem');
    writeFileSync(file, ed448Pem);
    expect(problemsOf({ ...base, USER_JWT_PRIVATE_KEY_FILE: file })).toContain(
      'USER_JWT_PRIVATE_KEY_FILE is invalid: holds a ed448 key; expected an Ed25519 private key in PKCS#8 PEM',
    );
  });

  it('names USER_JWT_PRIVATE_KEY_FILE when the file cannot be read', () => {
    expect(problemsOf({ ...base, USER_JWT_PRIVATE_KEY_FILE: join(folder, 'missing.pem') })).toMatch(
      /USER_JWT_PRIVATE_KEY_FILE is invalid: cannot read .*missing\.pem \(ENOENT\)/,
    );
  });

  it('requires JWT_ISSUER and JWT_AUDIENCE', () => {
    const message = problemsOf({ USER_DATABASE_URL: base.USER_DATABASE_URL, KAFKA_BROKERS: base.KAFKA_BROKERS, USER_JWT_PRIVATE_KEY: ed25519Pem });
    expect(message).toContain('JWT_ISSUER is required');
    expect(message).toContain('JWT_AUDIENCE is required');
  });
});
