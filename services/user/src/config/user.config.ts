import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { env, loadConfig } from '@shop/platform';

/** The environment variables of the user service, as given (migrate.ts picks from these). */
export const userConfigSchema = z.object({
  USER_HTTP_PORT: env.port().default(3001),
  USER_GRPC_PORT: env.port().default(50051),
  USER_DATABASE_URL: env.url('postgres', 'postgresql'),
  /** Where the outbox relay publishes `user.registered.v1`; readiness checks it too. */
  KAFKA_BROKERS: env.brokers(),
  LOG_LEVEL: env.logLevel(),
  /** Path to the PKCS#8 PEM of the Ed25519 signing key; a relative path resolves from the working directory. */
  USER_JWT_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  /** The PEM itself (`\n` escapes allowed), for platforms that inject secrets as variables. */
  USER_JWT_PRIVATE_KEY: z.string().min(1).optional(),
  JWT_ISSUER: z.string().min(1),
  JWT_AUDIENCE: z.string().min(1),
  USER_JWT_TTL_SECONDS: env.positiveInt().default(3600),
});

const EXPECTED_KEY = 'an Ed25519 private key in PKCS#8 PEM';
const KEY_VARIABLES = 'USER_JWT_PRIVATE_KEY_FILE (path to a PKCS#8 PEM) or USER_JWT_PRIVATE_KEY (the PEM itself)';

/** The variables, plus the signing key read and checked once at start-up, so a bad key stops the app early. */
export const userConfig = userConfigSchema.transform((config, ctx) => {
  const { USER_JWT_PRIVATE_KEY_FILE: file, USER_JWT_PRIVATE_KEY: inline } = config;
  if (file === undefined && inline === undefined) {
    ctx.addIssue({ code: 'custom', path: ['USER_JWT_PRIVATE_KEY_FILE'], message: `set ${KEY_VARIABLES}` });
    return z.NEVER;
  }
  if (file !== undefined && inline !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['USER_JWT_PRIVATE_KEY'], message: `set only one of ${KEY_VARIABLES}` });
    return z.NEVER;
  }
  const variable = file !== undefined ? 'USER_JWT_PRIVATE_KEY_FILE' : 'USER_JWT_PRIVATE_KEY';
  const source = file !== undefined ? readKeyFile(file) : { pem: (inline ?? '').replaceAll('\\n', '\n') };
  const key = 'error' in source ? source : parseEd25519PrivateKey(source.pem);
  if ('error' in key) {
    ctx.addIssue({ code: 'custom', path: [variable], message: key.error });
    return z.NEVER;
  }
  // The inline PEM stays out of the loaded config, so logging the config can never print the secret.
  return { ...config, USER_JWT_PRIVATE_KEY: undefined, jwtPrivateKey: key.key };
});

export type UserConfig = z.output<typeof userConfig>;

export const loadUserConfig = (source: NodeJS.ProcessEnv = process.env): UserConfig => loadConfig(userConfig, source);

function readKeyFile(file: string): { pem: string } | { error: string } {
  const path = resolve(file);
  try {
    return { pem: readFileSync(path, 'utf8') };
  } catch (error) {
    return { error: `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
}

function parseEd25519PrivateKey(pem: string): { key: KeyObject } | { error: string } {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return { error: `does not parse as a PEM private key; expected ${EXPECTED_KEY}` };
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    return { error: `holds a ${key.asymmetricKeyType ?? 'non-asymmetric'} key; expected ${EXPECTED_KEY}` };
  }
  return { key };
}
