/**
 * Loggers. CI pods carry tokens in env values (Jenkins' JENKINS_SECRET, registry passwords): nothing here
 * logs a pod, a request body or an env value. Redaction is the second line of defence behind that rule.
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

/**
 * Paths that must never reach a log line, whatever a caller passes by mistake: at the top of the merging
 * object and one level down (pino's `*` matches one level only, so each key needs both forms).
 */
export const REDACT_PATHS = [
  "pod", "*.pod", "object", "*.object", "body", "*.body", "env", "*.env", "*.env[*].value",
  "password", "*.password", "token", "*.token", "secret", "*.secret",
  "headers.authorization", "*.headers.authorization",
];

/** The longest string a log or audit field carries; the API server's own names stop at 253. */
export const MAX_LOGGED_CHARS = 256;

/** The message of anything thrown: an Error's message, or the value as a string. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A string as it may appear in a log field: cut to `max` characters (and marked), so that no request can
 * make a line that a container runtime splits (they cut at 16 KiB). Anything but a string: undefined.
 */
export function loggable(value: unknown, max = MAX_LOGGED_CHARS): string | undefined {
  if (typeof value !== "string") return undefined;
  return value.length <= max ? value : `${value.slice(0, max)}…[${value.length - max} more chars]`;
}

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
