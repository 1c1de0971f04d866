/**
 * Connections that never become requests, against the real `serve` process: TLS handshakes cut at every
 * stage, garbage instead of TLS, and hundreds of connections of every kind opened at once and dropped.
 * The handshake timeout closes what stalls, other clients are served meanwhile, every socket is released,
 * memory is back at its level and the logs are clean afterwards. And TLS 1.2 only with ECDHE AEAD suites.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { CleanupStack, sleep, waitFor } from "../support/server-process.js";
import { httpsCall, metricValue, openTls, opsCall, writeRaw, SERVICE_NAME, type TlsTarget } from "../support/tls-client.js";
import { assertValidReply, HostileHarness, markedReview } from "../soak/support/hostile.js";
import { ISOLATED } from "../soak/support/observed-server.js";

/** The first flight a real TLS client sends (a ClientHello), captured from a throwaway listener. */
async function captureClientHello(): Promise<Buffer> {
  const listener = createNetServer();
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  try {
    const hello = new Promise<Buffer>((resolve) => listener.once("connection", (socket) => socket.once("data", (chunk: Buffer) => {
      resolve(chunk);
      socket.destroy();
    })));
    const client = tlsConnect({ host: "127.0.0.1", port: (listener.address() as AddressInfo).port, servername: SERVICE_NAME });
    client.on("error", () => undefined);
    const chunk = await hello;
    client.destroy();
    return chunk;
  } finally {
    listener.close();
  }
}

/** A plain TCP connection, reading (and dropping) whatever comes back, so the server's FIN is seen. */
function rawTcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.once("error", reject);
    socket.resume();
  });
}

function head(contentLength: number | "chunked", contentType = "application/json"): string {
  const framing = contentLength === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${contentLength}`;
  return `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: ${contentType}\r\n${framing}\r\n\r\n`;
}

/** `server.headersTimeoutMs`, which is also the TLS handshake timeout. */
const HANDSHAKE_TIMEOUT_MS = 2_000;
/** `server.maxRequestBytes` (the default). */
const LIMIT = 16 * 1024 * 1024;

describe("hostile connections over TLS", () => {
  const cleanup = new CleanupStack();
  let h: HostileHarness;
  let target: TlsTarget;
  before(async () => {
    h = await HostileHarness.start(cleanup, { config: `${ISOLATED}server:\n  headersTimeoutMs: ${HANDSHAKE_TIMEOUT_MS}\n` });
    target = h.server.target;
  });
  after(() => cleanup.run());

  test("TLS handshakes cut short, garbage instead of TLS, and completed handshakes dropped before HTTP – server unaffected", async () => {
    const hello = await captureClientHello();
    assert.equal(hello[0], 0x16, "a TLS handshake record");
    const port = target.port;
    const cuts = [1, 5, 10, 43, Math.floor(hello.length / 2), hello.length - 1];
    for (const cut of cuts) {
      const socket = await rawTcp(port);
      socket.on("error", () => undefined);
      socket.write(hello.subarray(0, cut));
      await sleep(20);
      socket.destroy();
    }
    // A whole ClientHello, dropped as the ServerHello arrives.
    for (let i = 0; i < 5; i++) {
      const socket = await rawTcp(port);
      socket.on("error", () => undefined);
      const answered = new Promise<boolean>((resolve) => {
        socket.once("data", () => resolve(true)); // a ServerHello (the socket flows: rawTcp resumed it)
        setTimeout(() => resolve(false), 5_000);
      });
      socket.write(hello);
      assert.equal(await answered, true, "the server answered the ClientHello");
      socket.destroy();
    }
    // Garbage: refused at once; a record header promising more bytes: closed by the handshake timeout.
    const garbage: [string, Buffer][] = [
      ["512 zero bytes", Buffer.alloc(512, 0)],
      ["an SSLv2-style hello", Buffer.from([0x80, 0x2e, 0x01, 0x00, 0x02])],
      ["an HTTP/2 preface", Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")],
      ["a record header announcing 64 KiB", Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff])],
      ["half a ClientHello, then silence", hello.subarray(0, Math.floor(hello.length / 2))],
    ];
    await Promise.all(garbage.map(async ([what, bytes]) => {
      const socket = await rawTcp(port);
      const startedAt = Date.now();
      const closed = new Promise<boolean>((resolve) => {
        socket.once("close", () => resolve(true));
        setTimeout(() => resolve(false), HANDSHAKE_TIMEOUT_MS + 3_000);
      });
      socket.on("error", () => undefined);
      socket.write(bytes);
      assert.equal(await closed, true, `the server hung up on ${what}`);
      assert.ok(Date.now() - startedAt < HANDSHAKE_TIMEOUT_MS + 2_000, `${what}: closed within the handshake timeout`);
      socket.destroy();
    }));
    for (let i = 0; i < 5; i++) (await openTls(target)).destroy();
    await h.afterCase("cut handshakes");
  });

  test("400 connections of every kind opened at once and dropped – others served meanwhile, sockets released", async () => {
    const marker = h.marker();
    const body = JSON.stringify(markedReview("gitlab-attach-dind", marker));
    const metrics = async () => (await opsCall(h.server.process.opsPort, "/metrics")).text;
    const handlesBefore = metricValue(await metrics(), "ci_pod_webhook_nodejs_active_handles_total");
    const hello = await captureClientHello();
    const kinds = [
      async () => (await rawTcp(target.port)).destroy(),
      async () => {
        const s = await rawTcp(target.port);
        s.on("error", () => undefined);
        s.write(hello.subarray(0, 40));
        s.destroy();
      },
      async () => (await openTls(target)).destroy(),
      async () => {
        const s = await openTls(target);
        await writeRaw(s, head(Buffer.byteLength(body)));
        s.destroy();
      },
      async () => {
        const s = await openTls(target);
        await writeRaw(s, head(Buffer.byteLength(body)) + body.slice(0, 1000));
        s.destroy();
      },
      async () => {
        const s = await openTls(target);
        await writeRaw(s, head(Buffer.byteLength(body)) + body);
        s.destroy(); // before reading the reply
      },
    ];
    let done = false;
    const storm = Promise.allSettled(Array.from({ length: 400 }, (_, i) => (kinds[i % kinds.length] as () => Promise<void>)())).finally(() => (done = true));
    let served = 0;
    while (!done || served < 5) {
      assertValidReply(await h.post(JSON.stringify(markedReview("tekton-taskrun-dind", marker)), {}, { fresh: true }), "a normal client during the storm", [200]);
      served++;
    }
    const settled = await storm;
    const failed = settled.filter((s) => s.status === "rejected").length;
    assert.ok(failed < 20, `${failed} of 400 storm connections could not even be opened`);
    await waitFor(async () => metricValue(await metrics(), "ci_pod_webhook_nodejs_active_handles_total") <= handlesBefore + 2, "the server's sockets to be released", 15_000, 200);
    await h.afterCase("connection storm");
  });

  test("200 connections held open, each promising a body of the full limit and sending one byte – memory follows the bytes sent, not the bytes promised", async () => {
    const sockets = await Promise.all(Array.from({ length: 200 }, async () => {
      const socket = await openTls(target);
      socket.on("error", () => undefined);
      await writeRaw(socket, `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: application/json\r\nContent-Length: ${LIMIT}\r\n\r\n{`);
      return socket;
    }));
    try {
      await sleep(300);
      const held = await h.server.memory();
      const growth = held.heapUsed + held.external - (h.baseline.heapUsed + h.baseline.external);
      assert.ok(growth < 200 * 64 * 1024, `200 one-byte bodies cost ${(growth / 1024 / 1024).toFixed(1)} MiB of heap and external memory (${h.describeMemory(held)})`);
      assertValidReply(await h.post(JSON.stringify(markedReview("jenkins-agent-dind", h.marker())), {}, { fresh: true }), "a normal client meanwhile", [200]);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    await h.afterCase("held connections");
  });

  test("TLS 1.2 clients offering only CBC, RSA key exchange or SHA-1 suites are refused; an ECDHE AEAD suite is served", async () => {
    const weak = ["ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES128-SHA", "AES128-GCM-SHA256", "AES256-SHA256", "ECDHE-ECDSA-AES256-SHA384"];
    for (const cipher of weak) {
      const outcome = await httpsCall(target, { method: "GET", tls: { maxVersion: "TLSv1.2", ciphers: `${cipher}@SECLEVEL=0` } }).then(
        (r) => `HTTP ${r.status}`,
        (e: NodeJS.ErrnoException) => `${e.code ?? ""} ${e.message}`,
      );
      assert.match(outcome, /alert handshake failure/i, `${cipher}: not refused by the server: ${outcome}`);
    }
    const strong = await httpsCall(target, { method: "GET", tls: { maxVersion: "TLSv1.2", ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256" } });
    assert.equal(strong.status, 405);
    await h.afterCase("cipher negotiation");
  });

  test("the process never crashed and its logs hold names and codes only", (t) => h.assertSurvived((line) => t.diagnostic(line)));
});
