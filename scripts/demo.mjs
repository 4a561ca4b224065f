// npm run demo -- <pattern>: runs the demo of one of the ten patterns against the running shop (npm run start:local,
// or docker compose up), printing step by step what happened and why, and exits 1 when the system does not show
// the evidence a step claims. `npm run demo` lists the demos; `npm run demo -- all` runs the ten in order and stops
// at the first failure. The demos are in scripts/demos/<pattern>.mjs; see docs/patterns/ for each pattern.
import { bold, GATEWAY, runDemo } from './demos/lib.mjs';

/** In the order of docs/patterns/01..10; each name is its docs page without the number. */
const NAMES = [
  'api-gateway',
  'request-response',
  'circuit-breaker',
  'event-sourcing',
  'publish-subscribe',
  'message-queue',
  'saga',
  'cqrs',
  'choreography-vs-orchestration',
  'api-composition',
];

const load = async (name) => (await import(`./demos/${name}.mjs`)).default;

const [wanted, ...rest] = process.argv.slice(2);

if (!wanted || wanted === '--help' || wanted === '-h' || wanted === 'list') {
  console.log(`${bold('npm run demo -- <pattern>')}   runs one demo against ${GATEWAY} (GATEWAY_URL to change it)`);
  console.log(`${bold('npm run demo -- all')}         runs the ten in order, stopping at the first failure\n`);
  for (const [index, name] of NAMES.entries()) {
    const demo = await load(name);
    console.log(`  ${String(index + 1).padStart(2)}  ${name.padEnd(31)} ${demo.title}`);
  }
  process.exit(0);
}

const selected = wanted === 'all' ? NAMES : [wanted, ...rest];
const unknown = selected.filter((name) => !NAMES.includes(name));
if (unknown.length > 0) {
  console.error(`unknown demo: ${unknown.join(', ')}; one of: ${NAMES.join(', ')}, all`);
  process.exit(2);
}

const started = Date.now();
for (const name of selected) {
  if (!(await runDemo(await load(name)))) {
    console.error(`\nstopped at ${name}; run it alone with: npm run demo -- ${name}`);
    process.exit(1);
  }
}
if (selected.length > 1) console.log(`\n${bold(`all ${selected.length} demos passed`)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(0);
