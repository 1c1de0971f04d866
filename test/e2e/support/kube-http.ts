/**
 * Raw HTTPS requests to the test API server with the admin token: status, body and the `Warning`
 * headers, which @kubernetes/client-node does not expose.
 */
import https from "node:https";
import type { TestCluster } from "../cluster/index.js";

export interface KubeResponse<T = unknown> {
  status: number;
  /** Parsed JSON body (a Status object on errors). */
  body: T;
  /** The warning texts of the `Warning: 299 - "..."` response headers, unquoted. */
  warnings: string[];
}

/** `299 - "text"` (RFC 7234 warn-code, agent, quoted text) → `text`. */
export function parseWarningHeader(value: string): string {
  const match = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(value);
  return match ? match[1]!.replace(/\\(.)/g, "$1") : value;
}

export function kubeRequest<T = unknown>(cluster: TestCluster, method: string, apiPath: string, body?: unknown): Promise<KubeResponse<T>> {
  const url = new URL(apiPath, cluster.server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: cluster.caCertPem,
        headers: {
          authorization: `Bearer ${cluster.token}`,
          accept: "application/json",
          ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c: string) => (text += c));
        res.on("end", () => {
          const warnings: string[] = [];
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            if (res.rawHeaders[i]!.toLowerCase() === "warning") warnings.push(parseWarningHeader(res.rawHeaders[i + 1]!));
          }
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as T, warnings });
        });
        res.on("error", reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout ${method} ${apiPath}`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** POST a pod (optionally `?dryRun=All`). */
export function createPodRaw<T = unknown>(cluster: TestCluster, namespace: string, pod: unknown, opts: { dryRun?: boolean } = {}): Promise<KubeResponse<T>> {
  return kubeRequest<T>(cluster, "POST", `/api/v1/namespaces/${namespace}/pods${opts.dryRun ? "?dryRun=All" : ""}`, pod);
}
