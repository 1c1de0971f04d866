/** Writes audit records as JSON lines, independent of the operational log level. */
import { mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { pino, type DestinationStream, type Logger } from "pino";
import { REDACT_PATHS } from "../log.js";
import type { AuditRecord } from "./audit-record.js";

export interface AuditLog {
  write(record: AuditRecord): void;
  flush(): void;
}

/** `destination`: a stream (tests), a file path, or `-` / undefined for stdout. */
export function createAuditLog(destination?: DestinationStream | string): AuditLog {
  const stream =
    typeof destination === "object" ? destination
    // Opened synchronously: a file still opening when the process exits (e.g. a start-up error) makes pino's
    // exit flush throw "sonic boom is not ready yet", and an unwritable path should fail start-up, not crash later.
    : destination && destination !== "-" ? pino.destination({ dest: openAuditFile(destination), sync: false })
    : pino.destination({ dest: 1, sync: false });
  const logger: Logger = pino(
    {
      level: "info",
      base: { service: "ci-pod-webhook", log: "audit" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  return {
    write: (record) => logger.info(record, "admission"),
    flush: () => logger.flush(),
  };
}

function openAuditFile(path: string): number {
  mkdirSync(dirname(path), { recursive: true });
  return openSync(path, "a");
}
