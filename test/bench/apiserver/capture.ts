/** A one-shot webhook endpoint that keeps the first AdmissionReview the API server sends, and allows it. */
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

export interface Capture {
  url: string;
  /** Resolves with the raw body of the first review received. */
  first: Promise<Buffer>;
  close(): void;
}

export function startCapture(certsDir: string): Promise<Capture> {
  let resolveFirst: (body: Buffer) => void = () => undefined;
  const first = new Promise<Buffer>((resolve) => (resolveFirst = resolve));
  const server = createServer({ cert: readFileSync(join(certsDir, "tls.crt")), key: readFileSync(join(certsDir, "tls.key")) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => {
      const body = Buffer.concat(chunks);
      resolveFirst(body);
      const uid = (JSON.parse(body.toString("utf8")) as { request?: { uid?: string } }).request?.uid ?? "";
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid, allowed: true } }));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `https://127.0.0.1:${port}/capture`, first, close: () => server.close().closeAllConnections() });
    });
  });
}
