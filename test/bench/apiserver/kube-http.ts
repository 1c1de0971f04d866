/** A minimal keep-alive client for the test cluster's API server: JSON in, JSON and the latency out. */
import { Agent, request } from "node:https";

export interface KubeTarget {
  server: string;
  token: string;
  caCertPem: string;
}

export interface KubeResponse {
  status: number;
  body: Record<string, unknown>;
  /** From the start of the request to the end of the response, in microseconds. */
  latencyUs: number;
}

export function kubeClient(target: KubeTarget): (method: string, path: string, body?: unknown) => Promise<KubeResponse> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: target.caCertPem });
  return (method, path, body) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const req = request(`${target.server}${path}`, {
        method, agent,
        headers: { Authorization: `Bearer ${target.token}`, Accept: "application/json", ...(payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c)).on("end", () => {
          const latencyUs = Number(process.hrtime.bigint() - started) / 1000;
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, latencyUs });
        });
      });
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: timeout`)));
      req.on("error", reject).end(payload);
    });
  };
}

export type KubeCall = ReturnType<typeof kubeClient>;
