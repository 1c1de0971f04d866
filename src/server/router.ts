/** Routes requests on the HTTPS listener: `POST /mutate` and nothing else. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../log.js";
import type { AdmissionDeps } from "./admission-handler.js";
import { serveMutate } from "./admission-route.js";

export function createWebhookRouter(deps: AdmissionDeps, logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? "";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    if (path !== "/mutate") return plain(res, 404, "not found: the webhook serves POST /mutate\n", req);
    if (req.method !== "POST") {
      res.setHeader("Allow", "POST");
      return plain(res, 405, "method not allowed: use POST\n", req);
    }
    serveMutate(req, res, deps).catch((err: unknown) => {
      logger.error({ err }, "unhandled error serving /mutate");
      if (!res.headersSent) plain(res, 500, "internal error\n", req);
      else res.destroy();
    });
  };
}

function plain(res: ServerResponse, status: number, text: string, req: IncomingMessage): void {
  req.resume();
  res.writeHead(status, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
