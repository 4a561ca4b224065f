/**
 * Helpers for the observability specs: a small OTLP/HTTP (JSON) receiver that collects the spans the running apps
 * export, a reader of Prometheus text, and the metric names named by the Grafana dashboards' PromQL queries.
 */
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
export const DASHBOARDS_DIR = resolve(ROOT, 'deploy/observability/grafana/dashboards');

// ---- spans ----

/** OTLP span kinds, as numbers in OTLP/JSON. */
export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{
      spans?: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: OtlpAttribute[] }>;
    }>;
  }>;
}

function attributesOf(list: readonly OtlpAttribute[] | undefined): Record<string, string | number | boolean> {
  const result: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    const plain = value.stringValue ?? value.boolValue ?? value.doubleValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined);
    if (plain !== undefined) result[key] = plain;
  }
  return result;
}

/** Receives OTLP/HTTP JSON exports (POST /v1/traces) and keeps every span, by trace id. */
export class OtlpReceiver {
  private readonly byTrace = new Map<string, ReceivedSpan[]>();
  private exports = 0;

  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') {
        this.collect(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        response.writeHead(404).end();
      }
    });
  });

  private constructor() {}

  /** Listens on the host and port of `endpoint` (the apps' OTEL_EXPORTER_OTLP_ENDPOINT). */
  static async start(endpoint: string): Promise<OtlpReceiver> {
    const url = new URL(endpoint);
    const receiver = new OtlpReceiver();
    await new Promise<void>((resolveListen, reject) => {
      receiver.server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(`the OTLP receiver cannot listen on ${url.host} (${error.code}): is another one running there?`)),
      );
      receiver.server.listen(Number(url.port || 80), url.hostname, () => resolveListen());
    });
    return receiver;
  }

  /** How many exports arrived so far (from any app, for any trace). */
  get exportCount(): number {
    return this.exports;
  }

  spans(traceId: string): ReceivedSpan[] {
    return [...(this.byTrace.get(traceId) ?? [])];
  }

  close(): Promise<void> {
    return new Promise((resolveClose) => this.server.close(() => resolveClose()));
  }

  private collect(body: OtlpExport): void {
    this.exports++;
    for (const resourceSpans of body.resourceSpans ?? []) {
      const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? 'unknown');
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          const received: ReceivedSpan = {
            service,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            name: span.name,
            kind: span.kind,
            attributes: attributesOf(span.attributes),
          };
          this.byTrace.set(span.traceId, [...(this.byTrace.get(span.traceId) ?? []), received]);
        }
      }
    }
  }
}

/** The span and its ancestors within the trace, nearest first; stops where a parent was not received. */
export function ancestry(span: ReceivedSpan, spans: readonly ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain = [span];
  for (let parent = byId.get(span.parentSpanId); parent && chain.length < 1_000; parent = byId.get(parent.parentSpanId)) chain.push(parent);
  return chain;
}

// ---- Prometheus text ----

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Scrape {
  /** Metric families declared (`# TYPE name type`): name to type. */
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
}

export function parsePrometheusText(text: string): Scrape {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$/.exec(line);
    if (type) {
      types.set(type[1], type[2]);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!sample) continue;
    const labels: Record<string, string> = {};
    for (const label of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[label[1]] = label[2];
    samples.push({ name: sample[1], labels, value: Number(sample[3]) });
  }
  return { types, samples };
}

/** Sum of the samples of `name` whose labels match every given value (a RegExp or an exact string). */
export function sumOf(scrape: Scrape, name: string, labels: Readonly<Record<string, string | RegExp>> = {}): number {
  return scrape.samples
    .filter((s) => s.name === name)
    .filter((s) => Object.entries(labels).every(([key, want]) => (typeof want === 'string' ? s.labels[key] === want : want.test(s.labels[key] ?? ''))))
    .reduce((total, s) => total + s.value, 0);
}

/** True when the scrape exports `name`: a declared family, a sample, or a histogram's _bucket, _sum or _count. */
export function exports(scrape: Scrape, name: string): boolean {
  if (scrape.types.has(name) || scrape.samples.some((s) => s.name === name)) return true;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  return base !== undefined && ['histogram', 'summary'].includes(scrape.types.get(base) ?? '');
}

// ---- dashboards ----

export interface DashboardQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly expr: string;
}

interface GrafanaPanel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: GrafanaPanel[];
}

/** The dashboard files, parsed: file name to JSON model. */
export function dashboards(): Array<{ file: string; model: Record<string, unknown> }> {
  return readdirSync(DASHBOARDS_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, model: JSON.parse(readFileSync(resolve(DASHBOARDS_DIR, file), 'utf8')) as Record<string, unknown> }));
}

/** Every PromQL expression of every panel (rows' nested panels included) of every dashboard. */
export function dashboardQueries(): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  const visit = (dashboard: string, panels: readonly GrafanaPanel[] | undefined): void => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) {
        if (target.expr !== undefined) queries.push({ dashboard, panel: panel.title ?? '(untitled)', expr: target.expr });
      }
      visit(dashboard, panel.panels);
    }
  };
  for (const { file, model } of dashboards()) visit(file, model.panels as GrafanaPanel[] | undefined);
  return queries;
}

/** PromQL words that are not metric names. */
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects: what is left once strings, label matchers, ranges, grouping label
 * lists and Grafana variables are taken out, less function names (followed by a parenthesis) and PromQL words.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const following = stripped.slice((match.index ?? 0) + match[0].length).trimStart();
    if (following.startsWith('(') || PROMQL_WORDS.has(match[0].toLowerCase())) continue;
    names.add(match[0]);
  }
  return [...names];
}
