// Validates k8s/ without a cluster, and exits non-zero naming every problem:
//   1. `kubectl kustomize` (the real one, kustomize v5) renders the base and every overlay;
//   2. every rendered object passes the JSON schema of its kind (kubernetes-models' validators: types, enums,
//      required fields, formats);
//   3. no object carries a field its kind does not have (a typo such as `readinessProbes` would be dropped or
//      rejected by the API server): the objects are type-checked by TypeScript against kubernetes-models' types,
//      whose excess-property check catches unknown fields at any depth;
//   4. references hold: selectors match their pod templates, Services and NetworkPolicies select real pods,
//      ConfigMaps, Secrets and their keys exist (or are documented as created outside kustomize), HPAs and PDBs
//      point at Deployments, and every app pod runs restricted (non-root, read-only root, no privilege escalation,
//      no capabilities) with resources and both probes;
//   5. k8s/overlays/dev/postgres/init-databases.sh is identical to deploy/postgres/init-databases.sh.
// Usage: node scripts/validate-k8s.mjs [k8s folder, default k8s/]
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { OVERLAYS, ROOT, importTool, readEnvFile, renderKustomization, say, toolsRoot } from './validate-lib.mjs';

const K8S = resolve(process.argv[2] ?? join(ROOT, 'k8s'));
const problems = [];
const report = (where, message) => problems.push(`${where}: ${message}`);
const id = (object) => `${object.kind}/${object.metadata?.name ?? '?'}`;

/** Secrets no overlay renders: created by the dev Job (jwt-keys) or, in production, from a secret store. */
function externalSecrets(overlay) {
  const secrets = { 'jwt-keys': ['private.pem', 'public.pem'] };
  if (overlay === 'production') {
    const dir = join(K8S, 'secrets');
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.example.env'))) {
      secrets[file.replace(/\.example\.env$/, '')] = Object.keys(readEnvFile(join(dir, file)));
    }
  }
  return secrets;
}

function modulePath(object) {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : [null, object.apiVersion];
  return `kubernetes-models/${group ? `${group}/${version}` : version}/${object.kind}`;
}

async function validateSchemas(where, objects) {
  for (const object of objects) {
    let model;
    try {
      model = await importTool(modulePath(object));
    } catch {
      report(where, `${id(object)}: no Kubernetes schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    // kustomize folds long base64 values over lines; the API server's base64 decoder skips line breaks, so does this check.
    const checked = object.kind === 'Secret' && object.data
      ? { ...object, data: Object.fromEntries(Object.entries(object.data).map(([key, value]) => [key, String(value).replace(/\s+/g, '')])) }
      : object;
    try {
      new model[object.kind](checked).validate();
    } catch (error) {
      report(where, `${id(object)}: ${error.message}`);
    }
  }
}

/** Type-checks every object against its kubernetes-models interface; unknown fields are excess properties. */
function validateFields(where, objects) {
  const ts = createRequire(join(ROOT, 'package.json'))('typescript');
  const file = join(toolsRoot(), `k8s-fields-${process.pid}.mts`);
  const kinds = [...new Map(objects.map((object) => [modulePath(object), object.kind])).entries()];
  const imports = kinds.map(([path, kind], index) => `import type { I${kind} as T${index} } from '${path}';`);
  const typeOf = new Map(kinds.map(([path], index) => [path, `T${index}`]));
  const lines = [...imports, ...objects.map((object, index) => `export const o${index}: ${typeOf.get(modulePath(object))} = ${JSON.stringify(object)};`)];
  const source = lines.join('\n');
  const options = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) => (name === file ? ts.createSourceFile(name, source, language, true) : getSourceFile.call(host, name, language, ...rest));
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.readFile = (name) => (name === file ? source : readFile.call(host, name));
  const program = ts.createProgram([file], options, host);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').replace(/\s+/g, ' ');
    if (diagnostic.file?.fileName !== file || diagnostic.start === undefined) {
      report(where, `field check: ${message}`);
      continue;
    }
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line;
    const object = objects[line - imports.length];
    report(where, `${object ? id(object) : `line ${line}`}: ${message.slice(0, 400)}`);
  }
}

const matches = (selector, labels) =>
  Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels?.[key] === value) &&
  (selector?.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const has = labels !== undefined && key in labels;
    if (operator === 'In') return has && values.includes(labels[key]);
    if (operator === 'NotIn') return !has || !values.includes(labels[key]);
    if (operator === 'Exists') return has;
    return !has;
  });

function checkReferences(overlay, objects) {
  const where = `k8s/overlays/${overlay}`;
  const byKind = (kind) => objects.filter((object) => object.kind === kind);
  const workloads = objects.filter((object) => ['Deployment', 'StatefulSet', 'Job'].includes(object.kind));
  const pods = workloads.map((workload) => ({ workload, labels: workload.spec.template.metadata?.labels ?? {}, spec: workload.spec.template.spec }));
  const configMaps = new Map(byKind('ConfigMap').map((object) => [object.metadata.name, Object.keys(object.data ?? {})]));
  const secrets = new Map([
    ...Object.entries(externalSecrets(overlay)),
    ...byKind('Secret').map((object) => [object.metadata.name, Object.keys({ ...object.data, ...object.stringData })]),
  ]);
  const needConfigMap = (owner, name, key) => {
    if (!configMaps.has(name)) report(where, `${owner}: ConfigMap ${name} does not exist`);
    else if (key !== undefined && !configMaps.get(name).includes(key)) report(where, `${owner}: ConfigMap ${name} has no key ${key}`);
  };
  const needSecret = (owner, name, key) => {
    if (!secrets.has(name)) report(where, `${owner}: Secret ${name} is neither rendered nor documented in k8s/secrets/`);
    else if (key !== undefined && !secrets.get(name).includes(key)) report(where, `${owner}: Secret ${name} has no key ${key}`);
  };

  for (const { workload, labels, spec } of pods) {
    const owner = id(workload);
    if (workload.kind !== 'Job' && !matches(workload.spec.selector, labels)) report(where, `${owner}: selector does not match its pod template`);
    const containers = [...(spec.initContainers ?? []), ...spec.containers];
    for (const container of containers) {
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef) needConfigMap(owner, source.configMapRef.name);
        if (source.secretRef) needSecret(owner, source.secretRef.name);
      }
      for (const variable of container.env ?? []) {
        const from = variable.valueFrom ?? {};
        if (from.configMapKeyRef) needConfigMap(owner, from.configMapKeyRef.name, from.configMapKeyRef.key);
        if (from.secretKeyRef) needSecret(owner, from.secretKeyRef.name, from.secretKeyRef.key);
      }
      const claims = (workload.spec.volumeClaimTemplates ?? []).map((claim) => claim.metadata.name);
      const volumes = new Set([...(spec.volumes ?? []).map((volume) => volume.name), ...claims]);
      for (const mount of container.volumeMounts ?? []) {
        if (!volumes.has(mount.name)) report(where, `${owner}: container ${container.name} mounts the undeclared volume ${mount.name}`);
      }
    }
    for (const volume of spec.volumes ?? []) {
      if (volume.configMap) for (const item of volume.configMap.items ?? [{}]) needConfigMap(owner, volume.configMap.name, item.key);
      if (volume.secret) for (const item of volume.secret.items ?? [{}]) needSecret(owner, volume.secret.secretName, item.key);
    }
    if (labels['app.kubernetes.io/component'] === 'app') checkAppPod(where, owner, spec, containers);
  }

  for (const service of byKind('Service')) {
    const selected = pods.filter((pod) => matches({ matchLabels: service.spec.selector }, pod.labels));
    if (selected.length === 0) report(where, `${id(service)}: selects no pod`);
    const ports = selected.flatMap((pod) => pod.spec.containers.flatMap((container) => container.ports ?? []));
    for (const port of service.spec.ports) {
      const target = port.targetPort ?? port.port;
      if (!ports.some((candidate) => candidate.name === target || candidate.containerPort === target)) {
        report(where, `${id(service)}: port ${port.name ?? port.port} targets ${target}, which no selected container exposes`);
      }
    }
  }
  for (const policy of byKind('NetworkPolicy')) {
    const selector = policy.spec.podSelector;
    const isAll = Object.keys(selector ?? {}).length === 0;
    if (!isAll && !pods.some((pod) => matches(selector, pod.labels))) report(where, `${id(policy)}: podSelector selects no pod`);
    const peers = [...(policy.spec.ingress ?? []).flatMap((rule) => rule.from ?? []), ...(policy.spec.egress ?? []).flatMap((rule) => rule.to ?? [])];
    for (const peer of peers) {
      if (peer.podSelector && !peer.namespaceSelector && !pods.some((pod) => matches(peer.podSelector, pod.labels))) {
        report(where, `${id(policy)}: a peer podSelector ${JSON.stringify(peer.podSelector)} selects no pod in the namespace`);
      }
    }
  }
  const deployments = new Set(byKind('Deployment').map((object) => object.metadata.name));
  for (const hpa of byKind('HorizontalPodAutoscaler')) {
    if (!deployments.has(hpa.spec.scaleTargetRef.name)) report(where, `${id(hpa)}: scales the missing Deployment ${hpa.spec.scaleTargetRef.name}`);
  }
  for (const pdb of byKind('PodDisruptionBudget')) {
    if (!pods.some((pod) => matches(pdb.spec.selector, pod.labels))) report(where, `${id(pdb)}: selects no pod`);
  }
}

function checkAppPod(where, owner, spec, containers) {
  if (spec.securityContext?.runAsNonRoot !== true) report(where, `${owner}: pod securityContext.runAsNonRoot is not true`);
  if (spec.securityContext?.seccompProfile?.type !== 'RuntimeDefault') report(where, `${owner}: pod seccompProfile is not RuntimeDefault`);
  for (const container of containers) {
    const name = `${owner} container ${container.name}`;
    const security = container.securityContext ?? {};
    if (security.allowPrivilegeEscalation !== false) report(where, `${name}: allowPrivilegeEscalation is not false`);
    if (security.readOnlyRootFilesystem !== true) report(where, `${name}: readOnlyRootFilesystem is not true`);
    if (!(security.capabilities?.drop ?? []).includes('ALL')) report(where, `${name}: capabilities do not drop ALL`);
    for (const bound of ['requests', 'limits']) {
      for (const resource of ['cpu', 'memory']) {
        if (container.resources?.[bound]?.[resource] === undefined) report(where, `${name}: no resources.${bound}.${resource}`);
      }
    }
    const tmp = (container.volumeMounts ?? []).find((mount) => mount.mountPath === '/tmp');
    if (!tmp || !(spec.volumes ?? []).some((volume) => volume.name === tmp.name && volume.emptyDir)) report(where, `${name}: no emptyDir mounted at /tmp`);
  }
  for (const container of spec.containers) {
    if (container.readinessProbe?.httpGet?.path !== '/health/ready') report(where, `${owner} container ${container.name}: readiness probe is not GET /health/ready`);
    if (container.livenessProbe?.httpGet?.path !== '/health') report(where, `${owner} container ${container.name}: liveness probe is not GET /health`);
  }
}

const copy = join(K8S, 'overlays', 'dev', 'postgres', 'init-databases.sh');
const original = join(ROOT, 'deploy', 'postgres', 'init-databases.sh');
if (readFileSync(copy, 'utf8') !== readFileSync(original, 'utf8')) {
  report('k8s/overlays/dev/postgres/init-databases.sh', 'differs from deploy/postgres/init-databases.sh; copy it again');
} else {
  say('k8s/overlays/dev/postgres/init-databases.sh is identical to deploy/postgres/init-databases.sh');
}

for (const target of ['base', ...OVERLAYS.map((overlay) => `overlays/${overlay}`)]) {
  const where = `k8s/${target}`;
  let objects;
  try {
    objects = await renderKustomization(join(K8S, target));
  } catch (error) {
    report(where, `kubectl kustomize failed: ${String(error.stderr ?? error.message).trim()}`);
    continue;
  }
  const before = problems.length;
  await validateSchemas(where, objects);
  validateFields(where, objects);
  if (target !== 'base') checkReferences(target.replace('overlays/', ''), objects);
  const counts = Object.entries(objects.reduce((all, object) => ({ ...all, [object.kind]: (all[object.kind] ?? 0) + 1 }), {}))
    .map(([kind, count]) => `${count} ${kind}`)
    .join(', ');
  say(`${where}: rendered ${objects.length} objects (${counts}); ${problems.length === before ? 'schemas, fields and references valid' : `${problems.length - before} problem(s)`}`);
}

if (problems.length > 0) {
  console.error(problems.map((problem) => `  - ${problem}`).join('\n'));
  console.error(`[packaging] k8s validation failed: ${problems.length} problem(s)`);
  process.exit(1);
}
say('k8s validation passed');
