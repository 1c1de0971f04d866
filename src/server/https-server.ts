/**
 * The webhook's HTTPS listener: TLS 1.2 minimum with modern AEAD ciphers, timeouts so slow or stalled
 * clients cannot pin it, and the certificate swapped in place (existing connections keep theirs).
 */
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Config } from "../config/schema.js";
import type { CertPair } from "../tls/cert-source.js";

/** TLS 1.2 suites with forward secrecy and AEAD only; TLS 1.3 suites are Node's defaults. */
export const TLS12_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createHttpsServer(pair: CertPair, limits: Config["server"], handler: RequestHandler): Server {
  const server = createServer({
    ...secureOptions(pair), minVersion: "TLSv1.2", ciphers: TLS12_CIPHERS, honorCipherOrder: true,
    // A TLS handshake that never completes must not hold a socket either: `setTimeout` below only starts
    // after the handshake, and Node's default handshake timeout is 120 s.
    handshakeTimeout: limits.headersTimeoutMs,
    // Node enforces headersTimeout and requestTimeout only when it sweeps connections, every 30 s by
    // default; sweep often enough that the configured timeouts hold to within a second.
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  }, handler);
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.setTimeout(limits.requestTimeoutMs, (socket) => socket.destroy());
  return server;
}

export function swapCertificate(server: Server, pair: CertPair): void {
  server.setSecureContext({ ...secureOptions(pair), minVersion: "TLSv1.2", ciphers: TLS12_CIPHERS, honorCipherOrder: true });
}

function secureOptions(pair: CertPair): { cert: Buffer; key: Buffer } {
  return { cert: pair.cert, key: pair.key };
}
