/** Flags and TLS settings shared by the baseline servers: the webhook's TLS floor, the same certificate. */
import { readFileSync } from "node:fs";
import type { Server } from "node:https";
import { parseArgs } from "node:util";

export interface BaselineArgs {
  port: number;
  host: string;
  tls: { cert: Buffer; key: Buffer; minVersion: "TLSv1.2" };
}

export function baselineArgs(argv: string[]): BaselineArgs {
  const { values } = parseArgs({ args: argv, options: { port: { type: "string" }, host: { type: "string" }, cert: { type: "string" }, key: { type: "string" } } });
  if (!values.port || !values.cert || !values.key) throw new Error("usage: --port N --cert FILE --key FILE [--host H]");
  return { port: Number(values.port), host: values.host ?? "127.0.0.1", tls: { cert: readFileSync(values.cert), key: readFileSync(values.key), minVersion: "TLSv1.2" } };
}

/** Same timeouts as the webhook's defaults, then listen and say so on stdout. */
export function listen(server: Server, args: BaselineArgs): void {
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.listen(args.port, args.host, () => console.log(`listening ${args.host}:${args.port}`));
  process.on("SIGTERM", () => server.close(() => process.exit(0)).closeAllConnections());
}
