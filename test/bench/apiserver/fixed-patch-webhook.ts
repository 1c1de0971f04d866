/**
 * An in-process webhook for the patch-cost bench: `POST /v/<variant>` answers allowed with that variant's
 * fixed JSON patch (or none). Patches that carry whole arrays hold the ServiceAccount token volume of the
 * captured pod; its random suffix is swapped for the one in the request, so the final pod stays valid and
 * identical to what our real patch yields. Every request does the same scan, whatever the variant.
 */
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";

const TOKEN_VOLUME = /kube-api-access-[a-z0-9]{5}/;

export interface FixedPatchWebhook {
  /** Base URL; a variant's webhook is `${url}/v/<id>`. */
  url: string;
  /** Requests served per variant. */
  counts: Map<string, number>;
  /** Handler time (body received → response written) per variant, microseconds. */
  handlerUs: Map<string, number[]>;
  /** Resolves with the body of the next request to `variant`. */
  nextBody(variant: string): Promise<string>;
  close(): Promise<void>;
}

export interface PatchTemplate {
  /** The patch as JSON text; undefined: allowed without a patch. */
  json?: string;
  /** The token volume name the patch text holds, to be replaced per request. */
  tokenVolume?: string;
}

/** `patches` is read per request: entries may be added after the server starts. */
export function startFixedPatchWebhook(tls: { cert: string; key: string }, patches: Map<string, PatchTemplate>): Promise<FixedPatchWebhook> {
  const counts = new Map<string, number>();
  const handlerUs = new Map<string, number[]>();
  const waiters = new Map<string, (body: string) => void>();
  const fixedB64 = new Map<string, string>(); // base64 of token-free patches, encoded once

  const server: Server = createServer({ cert: tls.cert, key: tls.key, minVersion: "TLSv1.2" }, (req, res) => {
    const id = /^\/v\/([a-z0-9-]+)(?:\?|$)/.exec(req.url ?? "")?.[1] ?? ""; // the API server adds ?timeout=10s
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => {
      const started = process.hrtime.bigint();
      const body = Buffer.concat(chunks).toString("utf8");
      const template = patches.get(id);
      // request.uid is the first uid in the review (the API server writes request.uid before request.object).
      const uid = /"uid":"([^"]+)"/.exec(body)?.[1];
      const token = TOKEN_VOLUME.exec(body)?.[0];
      if (!template || !uid) {
        res.writeHead(400).end(`unknown variant ${id} or no uid`);
        return;
      }
      let patch: string | undefined;
      if (template.json !== undefined && template.tokenVolume) {
        patch = Buffer.from(token ? template.json.replaceAll(template.tokenVolume, token) : template.json).toString("base64");
      } else if (template.json !== undefined) {
        patch = fixedB64.get(id) ?? Buffer.from(template.json).toString("base64");
        fixedB64.set(id, patch);
      }
      const response = patch === undefined
        ? { uid, allowed: true }
        : { uid, allowed: true, patchType: "JSONPatch", patch };
      res.writeHead(200, { "Content-Type": "application/json" })
        .end(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response }));
      counts.set(id, (counts.get(id) ?? 0) + 1);
      const times = handlerUs.get(id) ?? [];
      times.push(Number(process.hrtime.bigint() - started) / 1000);
      handlerUs.set(id, times);
      const waiter = waiters.get(id);
      if (waiter) {
        waiters.delete(id);
        waiter(body);
      }
    });
  });
  server.keepAliveTimeout = 120_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `https://127.0.0.1:${port}`,
        counts,
        handlerUs,
        nextBody: (variant) => new Promise((r) => waiters.set(variant, r)),
        close: () => new Promise((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
      });
    });
  });
}
