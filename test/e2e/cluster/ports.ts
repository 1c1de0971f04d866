import net from "node:net";

/**
 * Returns `count` distinct TCP ports that were free on 127.0.0.1 a moment ago. All probe
 * sockets are held open until every port is chosen, so the ports differ from each other;
 * another process can still grab one before it is used (callers retry on EADDRINUSE).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, resolve);
      });
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error("unexpected server address");
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
