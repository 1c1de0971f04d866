import http from "node:http";
import https from "node:https";
import { tailFile, type ManagedProcess } from "./process.js";

/** A minimal GET: status code and body (never rejects on HTTP errors, only on I/O errors). */
export function httpGet(
  url: string,
  opts: { ca?: string; token?: string; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  const mod = url.startsWith("https:") ? https : http;
  const headers: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { headers, ...(opts.ca ? { ca: opts.ca } : {}) }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.setTimeout(opts.timeoutMs ?? 5_000, () => req.destroy(new Error(`timeout GET ${url}`)));
    req.on("error", reject);
  });
}

/**
 * Polls `check` every 250 ms until it returns true. Rejects — with the tail of the process's
 * log — when `proc` exits first or `timeoutMs` elapses. Errors thrown by `check` count as
 * "not ready yet"; the last one is reported on timeout.
 */
export async function waitUntilReady(
  what: string,
  proc: ManagedProcess,
  timeoutMs: number,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const exit = proc.exitInfo();
    if (exit) {
      const log = await tailFile(proc.logFile);
      throw new Error(
        `${what}: ${proc.name} exited early (code ${exit.code}, signal ${exit.signal}); log ${proc.logFile}:\n${log}`,
      );
    }
    try {
      if (await check()) return;
      last = "not ready";
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const log = await tailFile(proc.logFile);
  throw new Error(`${what}: not ready after ${timeoutMs} ms (last: ${last}); tail of ${proc.logFile}:\n${log}`);
}
