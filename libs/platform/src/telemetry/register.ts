/**
 * `import '@shop/platform/telemetry';` — the first line of every app's entry file. Starting tracing here, before
 * anything else is required, lets the instrumentations patch pg and @grpc/grpc-js as they load.
 * A malformed telemetry variable stops the app at once, naming it, like any other configuration error.
 */
import { ConfigError } from '../config/load-config';
import { startTelemetry } from './telemetry';

try {
  startTelemetry();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`telemetry: ${error.message}\n`);
  process.exit(1);
}
