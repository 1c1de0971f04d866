/**
 * Loggers. CI pods carry tokens in env values (Jenkins' JENKINS_SECRET, registry passwords): nothing here
 * logs a pod, a request body or an env value. Redaction is the second line of defence behind that rule.
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

/** Paths that must never reach a log line, whatever a caller passes by mistake. */
export const REDACT_PATHS = [
  "pod", "object", "body", "request.object", "*.object", "env", "*.env", "*.env[*].value", "*.password", "*.token", "*.secret",
  "headers.authorization", "*.headers.authorization",
];

export interface LoggerOptions {
  level?: LevelWithSilent;
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const destination = opts.destination ?? pino.destination({ dest: 1, sync: false });
  return pino(
    {
      level: opts.level ?? "info",
      base: { service: "ci-pod-webhook" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
