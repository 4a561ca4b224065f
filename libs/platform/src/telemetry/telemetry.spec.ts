import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { tracingSampler } from './telemetry';

const remoteParent = (traceFlags: TraceFlags) =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags, isRemote: true });

function tracerWith(exporting: boolean) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ sampler: tracingSampler(exporting), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return { tracer: provider.getTracer('spec'), exporter };
}

describe('the tracing sampler', () => {
  it('records every new trace when spans are exported', () => {
    const { tracer, exporter } = tracerWith(true);
    const span = tracer.startSpan('request', {}, context.active());
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext().traceFlags).toBe(TraceFlags.SAMPLED);
    span.end();
    expect(exporter.getFinishedSpans().map((finished) => finished.name)).toEqual(['request']);
  });

  it('records nothing of a new trace when nothing is exported, yet gives it valid ids for the logs and the next hop', () => {
    const { tracer, exporter } = tracerWith(false);
    const span = tracer.startSpan('request', {}, ROOT_CONTEXT);
    span.end();
    expect(span.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(span.spanContext())).toBe(true);
    expect(span.spanContext().traceFlags).toBe(TraceFlags.NONE);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('follows the caller: a trace a caller records stays recorded (and sampled downstream) even when this process does not export', () => {
    const { tracer } = tracerWith(false);
    const followed = tracer.startSpan('from a recording caller', {}, remoteParent(TraceFlags.SAMPLED));
    expect(followed.spanContext()).toEqual(expect.objectContaining({ traceId: '0af7651916cd43dd8448eb211c80319c', traceFlags: TraceFlags.SAMPLED }));
    const { tracer: exportingTracer } = tracerWith(true);
    const notSampled = exportingTracer.startSpan('from a caller that does not record', {}, remoteParent(TraceFlags.NONE));
    expect(notSampled.spanContext().traceFlags).toBe(TraceFlags.NONE);
  });
});
