// Pattern 10, API composition (docs/patterns/10-api-composition.md): the gateway's dashboard asks user, order,
// payment and recommendation in parallel and joins the answers; a missing part is degraded, never an error. The demo
// reads the dashboard with everything up, with recommendation stopped, and after it is back.
import { api, check, newCustomer, orderUntil, placeOrder, plentiful, runAlone, show, startApp, step, stopApp, until } from './lib.mjs';

const summary = (body) => ({
  profile: body.profile?.email ?? null,
  orders: body.orders.map((o) => `${o.id.slice(0, 8)} ${o.status}`),
  wallet: body.wallet?.balanceCents ?? null,
  recommendations: body.recommendations.map((r) => `${r.productId.slice(0, 8)} ${r.score.toFixed(2)}`),
  degraded: body.degraded,
});

async function run() {
  const customer = await newCustomer(50_000, 'Composition Demo');
  const [item] = await plentiful(customer.token);
  const placed = await placeOrder(customer, [{ productId: item.id, quantity: 1 }]);
  await orderUntil(customer, placed.id, ['CONFIRMED', 'SHIPPED', 'CANCELLED']);
  const expectedBalance = 50_000 - item.priceCents;

  step('GET /api/dashboard with every service up', 'four gRPC calls in parallel (GetUser, ListOrders, GetBalance, GetRecommendations), each with its own 500 ms deadline; the answer joins them');
  const normal = await api('GET', '/api/dashboard', { token: customer.token });
  show(`→ ${normal.status} in ${normal.ms} ms`, summary(normal.body));
  check(normal.status === 200 && normal.body.profile.id === customer.id && normal.body.orders[0]?.id === placed.id && normal.body.wallet.balanceCents === expectedBalance, 'profile, orders and wallet from three services in one answer');
  check(normal.body.degraded.length === 0 && normal.body.recommendations.length > 0, 'recommendations present, nothing degraded', normal.body.degraded);

  step('Stop the recommendation service and ask again', 'a failed part gets its fallback (the last popular items, else the first catalog items) and its name in degraded; the answer stays 200 within the 800 ms deadline');
  // Should a check fail, runDemo (lib.mjs) restarts what the demo stopped before it reports the failure.
  show('recommendation stopped', await stopApp('recommendation'));
  const degraded = await api('GET', '/api/dashboard', { token: customer.token });
  show(`→ ${degraded.status} in ${degraded.ms} ms`, summary(degraded.body));
  check(degraded.status === 200 && degraded.body.degraded.join() === 'recommendations', 'still 200, with degraded: ["recommendations"]', degraded.body.degraded);
  check(degraded.body.recommendations.length > 0, 'popular items stand in for the personal recommendations');
  check(degraded.body.wallet.balanceCents === expectedBalance && degraded.body.orders[0]?.id === placed.id, 'the other parts are unaffected');
  const alone = await api('GET', '/api/recommendations', { token: customer.token });
  show(`GET /api/recommendations → ${alone.status}, x-degraded: ${alone.headers.get('x-degraded')}`, alone.body.map((r) => r.productId.slice(0, 8)).join(', '));
  check(alone.status === 200 && alone.headers.get('x-degraded') === 'recommendations', 'the route alone uses the same fallback and says so in x-degraded');

  step('Start recommendation again', "the gateway's breaker for recommendation lets a probe through after its pause; the dashboard is whole again");
  show('recommendation started', await startApp('recommendation'));
  const whole = await until('the dashboard to be whole again', async () => {
    const answer = await api('GET', '/api/dashboard', { token: customer.token });
    return answer.status === 200 && answer.body.degraded.length === 0 ? answer : undefined;
  }, 30_000, 500);
  show(`→ ${whole.status} in ${whole.ms} ms`, summary(whole.body));
  check(whole.body.degraded.length === 0, 'degraded: [] again');
}

const demo = { name: 'api-composition', title: 'the dashboard from four services, degraded while one is down', docs: 'docs/patterns/10-api-composition.md', run };
export default demo;
if (import.meta.main) await runAlone(demo);
