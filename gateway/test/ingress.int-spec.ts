import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * What the production Ingress publishes of the gateway, read from k8s/overlays/production as kustomize renders it (the
 * pinned kubectl of scripts/validate-lib.mjs, installed into the cache on the first run), matched with the rules of
 * networking.k8s.io/v1: Exact matches the path as it is, Prefix matches whole path elements (`/api` matches `/api`
 * and `/api/orders`, not `/apis`). The gateway's readiness and metrics are for the cluster, never the internet.
 */
const root = resolve(__dirname, '../..');
const TOOL_TIMEOUT_MS = 300_000;

interface IngressPath {
  readonly path: string;
  readonly pathType: string;
  readonly backend: { readonly service?: { readonly name: string } };
}

interface Ingress {
  readonly kind: 'Ingress';
  readonly metadata: { readonly name: string; readonly annotations?: Record<string, string> };
  readonly spec: { readonly defaultBackend?: unknown; readonly rules?: { readonly http?: { readonly paths: IngressPath[] } }[] };
}

function renderedIngresses(overlay: string): Ingress[] {
  const script = "import { renderKustomization } from './scripts/validate-lib.mjs'; process.stdout.write(JSON.stringify(await renderKustomization(process.argv[1])));";
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, resolve(root, overlay)], {
    cwd: root,
    encoding: 'utf8',
    timeout: TOOL_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (result.status !== 0) throw new Error(`rendering ${overlay} failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { kind: string }[]).filter((object): object is Ingress => object.kind === 'Ingress');
}

function matches(path: string, rule: IngressPath): boolean {
  if (rule.pathType === 'Exact') return path === rule.path;
  if (rule.pathType === 'Prefix') {
    const elements = path.split('/').filter(Boolean);
    return rule.path
      .split('/')
      .filter(Boolean)
      .every((element, index) => elements[index] === element);
  }
  throw new Error(`pathType ${rule.pathType} of ${rule.path}: its matching is up to the controller, so what it publishes cannot be told`);
}

describe('the production Ingress', () => {
  let ingresses: Ingress[];

  beforeAll(() => {
    ingresses = renderedIngresses('k8s/overlays/production');
  }, TOOL_TIMEOUT_MS);

  const published = (path: string): boolean =>
    ingresses.some((ingress) => (ingress.spec.rules ?? []).some((rule) => (rule.http?.paths ?? []).some((candidate) => matches(path, candidate))));

  it('sends the public API, its OpenAPI docs and liveness to the gateway', () => {
    expect(ingresses.map((ingress) => ingress.metadata.name)).toEqual(['gateway']);
    for (const path of ['/api', '/api/orders', '/api/auth/login', '/api/dashboard', '/docs', '/docs/json', '/docs/static/index.html', '/health']) {
      expect({ path, published: published(path) }).toEqual({ path, published: true });
    }
    const backends = ingresses.flatMap((ingress) => (ingress.spec.rules ?? []).flatMap((rule) => (rule.http?.paths ?? []).map((path) => path.backend.service?.name)));
    expect(new Set(backends)).toEqual(new Set(['gateway']));
  });

  it("publishes neither the gateway's metrics nor its readiness, nor any path it was not told to", () => {
    for (const path of ['/metrics', '/health/ready', '/', '/apis', '/documents', '/admin']) {
      expect({ path, published: published(path) }).toEqual({ path, published: false });
    }
    for (const ingress of ingresses) {
      // A default backend would take every path no rule matches; a regex path would escape the rules above.
      expect(ingress.spec.defaultBackend).toBeUndefined();
      expect(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/use-regex']).not.toBe('true');
    }
  });
});
