/** Counts requests in flight so shutdown can wait for them, and only for them. */
import type { ServerResponse } from "node:http";
import type { Server } from "node:https";

export interface InFlight {
  count(): number;
  /** Stops accepting, closes idle keep-alive sockets, waits for in-flight requests; false if the grace ran out. */
  drain(server: Server, graceMs: number): Promise<boolean>;
}

export function trackInFlight(server: Server): InFlight {
  const active = new Set<ServerResponse>();
  let draining = false;
  let onIdle: (() => void) | undefined;
  server.on("request", (req, res) => {
    active.add(res);
    // While draining, tell keep-alive clients to reconnect elsewhere.
    if (draining) res.setHeader("Connection", "close");
    res.once("close", () => {
      active.delete(res);
      if (active.size === 0) onIdle?.();
    });
  });
  return {
    count: () => active.size,
    drain: (srv, graceMs) =>
      new Promise<boolean>((resolve) => {
        draining = true;
        // Requests already in flight close their connection too: a pooled client must not reuse a socket
        // the server is about to close (it would race the close and fail a webhook call).
        for (const res of active) if (!res.headersSent) res.setHeader("Connection", "close");
        // Sockets turn idle a tick after their response ends: sweep until the server has closed.
        const sweep = setInterval(() => srv.closeIdleConnections(), 100);
        const timer = setTimeout(() => {
          clearInterval(sweep);
          srv.closeAllConnections();
          resolve(false);
        }, graceMs);
        srv.close(() => {
          clearTimeout(timer);
          clearInterval(sweep);
          resolve(true);
        });
        srv.closeIdleConnections();
        onIdle = () => srv.closeIdleConnections();
      }),
  };
}
