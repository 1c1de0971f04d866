/**
 * Raw GETs against the test API server on their own connection (the bench's kube client allows one socket):
 * `/metrics` as text and summed histogram series, and `/debug/pprof/profile` (needs `--profiling=true`).
 */
import { Agent, request } from "node:https";
import type { KubeTarget } from "./kube-http.js";

export function rawGetter(target: KubeTarget): (path: string, timeoutMs?: number) => Promise<Buffer> {
  const agent = new Agent({ keepAlive: true, maxSockets: 2, ca: target.caCertPem });
  return (path, timeoutMs = 60_000) => new Promise((resolve, reject) => {
    const req = request(`${target.server}${path}`, { agent, headers: { Authorization: `Bearer ${target.token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c)).on("end", () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode !== 200) reject(new Error(`GET ${path}: ${res.statusCode} ${body.toString("utf8").slice(0, 300)}`));
        else resolve(body);
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path}: timeout`)));
    req.on("error", reject).end();
  });
}

/** A histogram (sum in seconds, count) summed over every series whose labels include `labels`. */
export interface HistogramTotal {
  sum: number;
  count: number;
}

export type MetricSpec = readonly [name: string, labels: Record<string, string>];

export function histogramTotal(text: string, [name, labels]: MetricSpec): HistogramTotal {
  const total = { sum: 0, count: 0 };
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const which = m[1] === `${name}_sum` ? "sum" : m[1] === `${name}_count` ? "count" : undefined;
    if (!which) continue;
    const labelText = m[2] ?? "";
    if (wanted.every((w) => labelText.includes(`{${w}`) || labelText.includes(`,${w}`))) total[which] += Number(m[3]);
  }
  return total;
}
