/**
 * What the rest of the platform needs to know about the process's tracing, without loading the SDK: the name
 * spans are exported under, and how to flush them on shutdown. The telemetry register (telemetry.ts) runs before
 * the app knows its name, so its resource takes `telemetryServiceName`; runService settles it.
 */
let settle: ((name: string) => void) | undefined;
let named: string | undefined;
let flush: (() => Promise<void>) | undefined;

export const telemetryServiceName: Promise<string> = new Promise<string>((resolve) => {
  settle = resolve;
});

/** Names the process for tracing; the first name given wins. */
export function nameTelemetryService(name: string): void {
  if (named !== undefined) return;
  named = name;
  settle?.(name);
}

/** Set by the telemetry register: exports what is still buffered. */
export function onTelemetryShutdown(handler: () => Promise<void>): void {
  flush = handler;
}

/** Exports the spans still buffered (a no-op when tracing never started). Bounded by the handler's own timeout. */
export async function shutdownTelemetry(): Promise<void> {
  const handler = flush;
  flush = undefined;
  await handler?.();
}
