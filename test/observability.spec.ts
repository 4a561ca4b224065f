/**
 * The observability packaging stays consistent without a container engine: the Grafana dashboards are valid JSON
 * whose every panel queries Prometheus with PromQL that names metrics, compose provisions them and the data
 * sources, Prometheus scrapes every app of docker-compose.yml on its HTTP port, and every app exports its spans to
 * the collector, which forwards them to Jaeger. That each metric named is really exported by the apps is checked
 * against the running system in test/e2e/observability.e2e-spec.ts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { dashboardQueries, dashboards, metricNamesIn } from './e2e/support/observability';

const ROOT = resolve(__dirname, '..');
const readYaml = <T>(path: string): T => parse(readFileSync(resolve(ROOT, path), 'utf8')) as T;

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  ports?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

const base = readYaml<ComposeFile>('docker-compose.yml');
const override = readYaml<ComposeFile>('docker-compose.observability.yml');
/** The long-running apps of docker-compose.yml: every service that serves HTTP on a *_HTTP_PORT. */
const apps = Object.entries(base.services)
  .map(([name, service]) => ({ name, port: Object.entries(service.environment ?? {}).find(([key]) => key.endsWith('_HTTP_PORT'))?.[1] }))
  .filter((app): app is { name: string; port: string | number } => app.port !== undefined);

interface Panel {
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ expr?: string; datasource?: { uid?: string } }>;
}

describe('Grafana dashboards', () => {
  const models = dashboards();

  it('are the overview, sagas, messaging and resilience dashboards, each valid JSON with a unique uid and a title', () => {
    expect(models.map((d) => d.file)).toEqual(['messaging.json', 'overview.json', 'resilience.json', 'sagas.json']);
    const uids = models.map((d) => d.model.uid);
    expect(new Set(uids).size).toBe(models.length);
    for (const { model } of models) {
      expect(typeof model.uid).toBe('string');
      expect(typeof model.title).toBe('string');
      expect(Array.isArray(model.panels)).toBe(true);
    }
  });

  it('say what they tell in a text panel, and query Prometheus in every other panel', () => {
    for (const { file, model } of models) {
      const panels = model.panels as Panel[];
      expect([file, panels.some((p) => p.type === 'text')]).toEqual([file, true]);
      for (const panel of panels.filter((p) => p.type !== 'text' && p.type !== 'row')) {
        expect([file, panel.title, panel.datasource?.uid]).toEqual([file, panel.title, 'prometheus']);
        expect([file, panel.title, (panel.targets ?? []).filter((t) => t.expr).length > 0]).toEqual([file, panel.title, true]);
      }
    }
  });

  it('name at least one metric in every query, each one of the shop or of the Node runtime', () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(20);
    for (const query of queries) {
      const names = metricNamesIn(query.expr);
      expect([query.panel, names.length > 0]).toEqual([query.panel, true]);
      for (const name of names) expect([query.panel, name]).toEqual([query.panel, expect.stringMatching(/^(shop|process|nodejs)_[a-z0-9_]+$/)]);
    }
  });
});

describe('metric names in PromQL', () => {
  it('are found inside functions, aggregations and arithmetic, without labels, ranges, grouping lists or variables', () => {
    expect(metricNamesIn('histogram_quantile(0.95, sum by (job, le) (rate(shop_x_seconds_bucket{job="gateway"}[$__rate_interval])))')).toEqual([
      'shop_x_seconds_bucket',
    ]);
    expect(metricNamesIn('sum(rate(a_total{status=~"5.."}[5m])) by (job) / sum without (instance) (rate(b_total[5m])) * 60')).toEqual(['a_total', 'b_total']);
    expect(metricNamesIn('max(shop_queue_depth{queue=~".*\\\\.dlq"}) or on (queue) vector(0)')).toEqual(['shop_queue_depth']);
    expect(metricNamesIn('sum by (reason) (increase(shop_saga_outcomes_total{reason=~"A|B"}[$__range]))')).toEqual(['shop_saga_outcomes_total']);
  });
});

describe('docker-compose.observability.yml', () => {
  it('provisions the Prometheus and Jaeger data sources and the dashboards folder into Grafana', () => {
    const grafana = override.services.grafana;
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        './deploy/observability/grafana/provisioning:/etc/grafana/provisioning:ro',
        './deploy/observability/grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
    const sources = readYaml<{ datasources: Array<{ uid: string; type: string; url: string }> }>(
      'deploy/observability/grafana/provisioning/datasources/datasources.yaml',
    ).datasources;
    expect(sources.map((s) => [s.uid, s.type, s.url])).toEqual([
      ['prometheus', 'prometheus', 'http://prometheus:9090'],
      ['jaeger', 'jaeger', 'http://jaeger:16686'],
    ]);
    const providers = readYaml<{ providers: Array<{ options: { path: string } }> }>(
      'deploy/observability/grafana/provisioning/dashboards/dashboards.yaml',
    ).providers;
    expect(providers.map((p) => p.options.path)).toEqual(['/var/lib/grafana/dashboards']);
  });

  it('pins every image to a version', () => {
    for (const name of ['otel-collector', 'jaeger', 'prometheus', 'grafana']) {
      expect([name, override.services[name].image]).toEqual([name, expect.stringMatching(/:v?\d+\.\d+\.\d+$/)]);
    }
  });

  it('has every app of docker-compose.yml export its spans to the collector', () => {
    expect(apps.map((app) => app.name).sort()).toEqual(
      ['gateway', 'inventory', 'order', 'payment', 'recommendation', 'shipping', 'shipping-worker', 'user'].sort(),
    );
    for (const app of apps) {
      expect([app.name, override.services[app.name]?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT]).toEqual([app.name, 'http://otel-collector:4318']);
    }
  });

  it('runs a collector that receives OTLP over HTTP on 4318 and sends traces to Jaeger', () => {
    const collector = readYaml<{
      receivers: { otlp: { protocols: { http: { endpoint: string } } } };
      exporters: Record<string, { endpoint: string }>;
      service: { pipelines: { traces: { receivers: string[]; exporters: string[] } } };
    }>('deploy/observability/otel-collector.yaml');
    expect(collector.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(collector.service.pipelines.traces.receivers).toEqual(['otlp']);
    const [exporter] = collector.service.pipelines.traces.exporters;
    expect(collector.exporters[exporter].endpoint).toBe('jaeger:4317');
  });
});

describe('deploy/observability/prometheus.yml', () => {
  it('scrapes every app of docker-compose.yml on its HTTP port, one job per app', () => {
    const config = readYaml<{
      scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }>; dns_sd_configs?: Array<{ names: string[]; port: number }> }>;
    }>('deploy/observability/prometheus.yml');
    const scraped = new Map(
      config.scrape_configs.map((job) => [
        job.job_name,
        job.static_configs?.[0]?.targets[0] ?? `${job.dns_sd_configs?.[0]?.names[0]}:${job.dns_sd_configs?.[0]?.port}`,
      ]),
    );
    for (const app of apps) expect([app.name, scraped.get(app.name)]).toEqual([app.name, `${app.name}:${app.port}`]);
    expect(scraped.size).toBe(apps.length);
  });
});
