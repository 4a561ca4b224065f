// Pattern 4, event sourcing (docs/patterns/04-event-sourcing.md): a wallet is its stream of events, the balance is a
// fold of them. The demo writes a few facts, reads the stream, asks the balance at past instants and replays.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  api,
  balance,
  check,
  deposit,
  DemoFailure,
  env,
  money,
  newCustomer,
  orderUntil,
  placeOrder,
  plentiful,
  ROOT,
  runAlone,
  show,
  sleep,
  step,
  TARGET,
} from './lib.mjs';

/** The same fold as Wallet.fromHistory (services/payment/src/domain/wallet.ts), for the balance only. */
const SIGN = { FundsDeposited: 1, PaymentCharged: -1, PaymentRefunded: 1 };
const fold = (events) => events.reduce((cents, event) => cents + (SIGN[event.type] ?? 0) * (event.data?.amountCents ?? 0), 0);

/** Runs `npm run replay:wallets` (services/payment/dist/replay.js): natively here, under compose in the payment container. */
function replayProjections() {
  const [command, args, options] =
    TARGET === 'native'
      ? [process.execPath, ['services/payment/dist/replay.js'], { cwd: ROOT, env }]
      : ['docker', ['compose', 'exec', '-T', 'payment', 'node', 'services/payment/dist/replay.js'], { cwd: ROOT }];
  return new Promise((resolvePromise, reject) =>
    execFile(command, args, { ...options, timeout: 120_000 }, (error, stdout, stderr) =>
      error ? reject(new DemoFailure(`the replay failed: ${(stderr || error.message).trim().split('\n').slice(-2).join(' ')}`)) : resolvePromise(stdout),
    ),
  );
}

async function history(customer) {
  const response = await api('GET', '/api/wallet/history', { token: customer.token });
  if (response.status !== 200) throw new DemoFailure(`GET /api/wallet/history answered ${response.status}`);
  return response.body;
}

function describe(event) {
  const { amountCents, orderId, reason } = event.data ?? {};
  const parts = [amountCents === undefined ? '' : money(amountCents), orderId ? `order ${orderId.slice(0, 8)}` : '', reason ?? ''];
  return `v${event.version} ${event.occurredAt} ${event.type.padEnd(15)} ${parts.filter(Boolean).join(', ')}`;
}

async function run() {
  const customer = await newCustomer(0, 'Event Sourcing Demo');
  const candidates = await plentiful(customer.token, 5);
  const [cheap] = [...candidates].sort((a, b) => a.priceCents - b.priceCents);
  const left = 15_000 - cheap.priceCents;
  // The refused order: more than the wallet holds, of a product with the stock for it (so payment, not stock, refuses it).
  const tooMuch = (p) => Math.floor(left / p.priceCents) + 1;
  const pricey = [...candidates].sort((a, b) => b.priceCents - a.priceCents).find((p) => tooMuch(p) <= Math.min(p.available, 100));
  if (!pricey || left <= 0) throw new DemoFailure('no product fits the demo: one under 150.00, and one with the stock for an order above the wallet');

  step('Deposit 100.00 twice with the same Idempotency-Key, then 50.00', 'each deposit appends FundsDeposited; the deposit id (derived from the key) is counted once, so a retried request adds nothing');
  const key = randomUUID();
  const first = await deposit(customer, 10_000, key);
  const retried = await deposit(customer, 10_000, key);
  await sleep(300);
  const second = await deposit(customer, 5_000);
  show('balances answered', `${money(first)}, again ${money(retried)}, then ${money(second)}`);
  check(first === 10_000 && retried === 10_000 && second === 15_000, 'the retried deposit was counted once');

  step(`Buy one ${cheap.name} (${money(cheap.priceCents)}), then order more ${pricey.name} than the wallet can pay`, 'a charge appends PaymentCharged; a refused charge is a fact too: PaymentDeclined, and the balance is unchanged');
  await sleep(300);
  const paid = await placeOrder(customer, [{ productId: cheap.id, quantity: 1 }]);
  const paidOrder = await orderUntil(customer, paid.id, ['CONFIRMED', 'SHIPPED', 'CANCELLED']);
  await sleep(300);
  const quantity = tooMuch(pricey);
  const refused = await placeOrder(customer, [{ productId: pricey.id, quantity }]);
  const refusedOrder = await orderUntil(customer, refused.id, ['CONFIRMED', 'SHIPPED', 'CANCELLED']);
  show(`order of 1 → ${paidOrder.status}`, `order of ${quantity} (${money(quantity * pricey.priceCents)}) → ${refusedOrder.status} ${refusedOrder.reason ?? ''}`);
  check(paidOrder.status !== 'CANCELLED' && refusedOrder.reason === 'PAYMENT_DECLINED', 'one charge paid, one declined', [paidOrder.status, refusedOrder.reason]);

  step("Read the wallet's events, oldest first", 'the stream wallet-<userId> is the source of truth; nothing in it is ever updated or deleted (database triggers refuse it)');
  let events = await history(customer);
  for (const event of events) show(describe(event));
  const types = events.map((e) => e.type);
  check(types[0] === 'WalletOpened', 'the stream starts with WalletOpened (payment reacted to user.registered.v1, or the first deposit opened it)');
  check(events.filter((e) => e.type === 'FundsDeposited').map((e) => e.data.amountCents).join() === '10000,5000', 'two FundsDeposited: 100.00 once (the retry added nothing) and 50.00');
  check(types.includes('PaymentCharged') && types.includes('PaymentDeclined'), 'PaymentCharged for the paid order and PaymentDeclined for the refused one');

  step('Ask the balance at past instants', 'GET /api/wallet?at=… folds the events that occurred at or before that instant: the past is a query, not a backup');
  let asked = 0;
  for (let i = 0; i + 1 < events.length; i++) {
    const [t0, t1] = [Date.parse(events[i].occurredAt), Date.parse(events[i + 1].occurredAt)];
    if (t1 - t0 < 2) continue; // same millisecond: no instant between them
    const at = new Date(Math.floor((t0 + t1) / 2)).toISOString();
    const then = await balance(customer, at);
    const expected = fold(events.slice(0, i + 1));
    show(`at ${at} (after v${events[i].version} ${events[i].type})`, money(then));
    check(then === expected, `= the fold of v1..v${events[i].version}, ${money(expected)}`, money(then));
    asked++;
  }
  check(asked >= 3, 'the balance was asked at three or more past instants', asked);

  step('Replay: fold the whole stream, and rebuild the projections from the events', 'the current balance is read from the wallet_balances projection; replay (npm run replay:wallets) empties it and rebuilds it from every event, in order');
  events = await history(customer);
  const now = await balance(customer);
  show('the fold of the stream, computed here', money(fold(events)));
  show('GET /api/wallet (the projection)', money(now));
  check(fold(events) === now && now === left, `the projection agrees with the events: ${money(now)}`);
  const output = await replayProjections();
  // The CLI prints its summary line after its JSON log line.
  const summary = output.split('\n').find((line) => line.startsWith('Replayed')) ?? output.trim();
  show(TARGET === 'native' ? 'node services/payment/dist/replay.js' : 'docker compose exec payment node services/payment/dist/replay.js', summary);
  const rebuilt = await balance(customer);
  show('GET /api/wallet after the replay', money(rebuilt));
  check(/^Replayed \d+ events/.test(summary) && rebuilt === now, 'the projections were rebuilt from the events alone, with the same balance');
}

const demo = { name: 'event-sourcing', title: "a wallet's events, its balance at past instants, and a replay", docs: 'docs/patterns/04-event-sourcing.md', run };
export default demo;
if (import.meta.main) await runAlone(demo);
