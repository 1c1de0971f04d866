/** Counts requests in flight so shutdown can wait for them, and only for them. */
import type { Server } from "node:https";

export interface InFlight {
  count(): number;
  /** Stops accepting, closes idle keep-alive sockets, waits for in-flight requests; false if the grace ran out. */
  drain(server: Server, graceMs: number): Promise<boolean>;
}

export function trackInFlight(server: Server): InFlight {
  let active = 0;
  let draining = false;
  let onIdle: (() => void) | undefined;
  server.on("request", (req, res) => {
    active++;
    // While draining, tell keep-alive clients to reconnect elsewhere.
    if (draining) res.setHeader("Connection", "close");
    res.once("close", () => {
      active--;
      if (active === 0) onIdle?.();
    });
  });
  return {
    count: () => active,
    drain: (srv, graceMs) =>
      new Promise<boolean>((resolve) => {
        draining = true;
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
