/**
 * Bad input at the HTTPS edge gets a clear AdmissionReview error and never takes the server down: after
 * each case a valid review on a new connection is still answered.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CleanupStack, startInProcess, waitFor, type InProcessServer } from "../support/server-process.js";
import {
  collect, httpsCall, loadSharedFixture, metricValue, openTls, opsCall, podReview, postReview, rawJsonBody, writeRaw, SERVICE_NAME,
  type RawExchange, type TlsTarget,
} from "../support/tls-client.js";

const LIMIT = 8 * 1024 * 1024;

interface ErrorReview {
  apiVersion: string;
  kind: string;
  response: { uid: string; allowed: boolean; status: { code: number; reason: string; message: string } };
}

describe("POST /mutate over TLS – bad input", () => {
  const cleanup = new CleanupStack();
  let server: InProcessServer;
  let target: TlsTarget;
  before(async () => {
    server = await startInProcess(cleanup, { config: `caTrust:\n  checkPresence: false\nserver:\n  maxRequestBytes: ${LIMIT}\n` });
    target = { port: server.port, ca: server.ca };
  });
  after(() => cleanup.run());

  /** The server still answers a valid review, on a brand-new connection. */
  async function assertStillServing(): Promise<void> {
    const reply = await postReview(target, podReview(loadSharedFixture("jenkins-agent-dind")));
    assert.equal(reply.status, 200);
    assert.equal(reply.review.response.patchType, "JSONPatch");
  }

  function assertError(reply: { status: number; review: unknown }, status: number, reason: string, message?: RegExp): ErrorReview {
    const review = reply.review as ErrorReview;
    assert.equal(reply.status, status, JSON.stringify(review));
    assert.equal(review.kind, "AdmissionReview");
    assert.equal(review.response.allowed, false);
    assert.equal(review.response.status.code, status);
    assert.equal(review.response.status.reason, reason);
    if (message) assert.match(review.response.status.message, message);
    return review;
  }

  function asReview(exchange: RawExchange): { status: number; review: unknown } {
    assert.ok(exchange.status, `an HTTP response, got ${JSON.stringify(exchange)}`);
    return { status: exchange.status, review: rawJsonBody(exchange) };
  }

  const valid = () => JSON.stringify(podReview(loadSharedFixture("gitlab-attach-dind")));

  const contentTypes: [string, Record<string, string>][] = [
    ["text/plain", { "Content-Type": "text/plain" }],
    ["application/yaml", { "Content-Type": "application/yaml" }],
    ["no content type", {}],
  ];
  for (const [what, headers] of contentTypes) {
    test(`content type ${what} – 415 UNSUPPORTED_MEDIA_TYPE`, async () => {
      const reply = await httpsCall(target, { body: valid(), headers });
      assertError({ status: reply.status, review: JSON.parse(reply.text) }, 415, "UNSUPPORTED_MEDIA_TYPE", /application\/json/);
      await assertStillServing();
    });
  }

  test("application/json; charset=utf-8 – accepted", async () => {
    const reply = await postReview(target, valid(), { headers: { "Content-Type": "application/json; charset=utf-8" } });
    assert.equal(reply.status, 200);
    assert.equal(reply.review.response.patchType, "JSONPatch");
  });

  test("empty body – 400 REVIEW_MALFORMED", async () => {
    assertError(await postReview(target, ""), 400, "REVIEW_MALFORMED", /empty/);
    await assertStillServing();
  });

  test("malformed JSON – 400 with the parse error", async () => {
    const reply = await postReview(target, '{"apiVersion": "admission.k8s.io/v1", "kind": ');
    const review = assertError(reply, 400, "REVIEW_MALFORMED", /not valid JSON/);
    assert.match(review.response.status.message, /Unexpected end of JSON input|JSON/);
    await assertStillServing();
  });

  const envelopes: [string, unknown, RegExp][] = [
    ["a JSON array", [1, 2], /JSON object/],
    ["unknown apiVersion admission.k8s.io/v2", { apiVersion: "admission.k8s.io/v2", kind: "AdmissionReview", request: { uid: "u1" } }, /apiVersion must be one of/],
    ["wrong kind", { apiVersion: "admission.k8s.io/v1", kind: "Pod", request: { uid: "u1" } }, /kind must be AdmissionReview/],
    ["no request", { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }, /request is missing/],
    ["no uid", { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { operation: "CREATE", object: {} } }, /uid/],
    ["empty uid", { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "", operation: "CREATE", object: {} } }, /uid/],
  ];
  for (const [what, body, message] of envelopes) {
    test(`${what} – 400 REVIEW_MALFORMED`, async () => {
      assertError(await postReview(target, body), 400, "REVIEW_MALFORMED", message);
      await assertStillServing();
    });
  }

  for (const [what, object] of [["a string", "a pod"], ["an array", [{ kind: "Pod" }]], ["a number", 42], ["null on CREATE", null]] as const) {
    test(`request.object is ${what} – 400 with the request's uid and apiVersion`, async () => {
      const review = podReview(object, { apiVersion: "admission.k8s.io/v1beta1", uid: "uid-object-not-object" });
      const reply = assertError(await postReview(target, review), 400, "REVIEW_MALFORMED", /request\.object must be an object/);
      assert.equal(reply.response.uid, "uid-object-not-object");
      assert.equal(reply.apiVersion, "admission.k8s.io/v1beta1");
      await assertStillServing();
    });
  }

  test("Content-Length over the limit – 413 before the body is read, connection closed", async () => {
    const socket = await openTls(target);
    const result = collect(socket, 5_000);
    await writeRaw(socket, `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: application/json\r\nContent-Length: ${LIMIT + 1}\r\n\r\n{"apiVersion":`);
    const exchange = await result;
    socket.destroy();
    assertError(asReview(exchange), 413, "REVIEW_TOO_LARGE", new RegExp(`${LIMIT + 1} bytes exceeds the limit of ${LIMIT}`));
    assert.match(exchange.text, /connection: close/i);
    assert.equal(exchange.closed, true, "server closed the connection");
    await assertStillServing();
  });

  test("a lying Content-Length (1 GiB declared, 10 bytes sent) – 413 at once, no buffering", async () => {
    const socket = await openTls(target);
    const result = collect(socket, 5_000);
    await writeRaw(socket, `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: application/json\r\nContent-Length: ${1024 ** 3}\r\n\r\n{"a":1234}`);
    const exchange = await result;
    socket.destroy();
    assertError(asReview(exchange), 413, "REVIEW_TOO_LARGE");
    await assertStillServing();
  });

  test("a lying Content-Length (10 declared, a whole review sent) – 400, connection closed, nothing admitted", async () => {
    const socket = await openTls(target);
    const result = collect(socket, 5_000);
    const malformedBefore = server.logs.records().filter((r) => r.code === "REVIEW_MALFORMED").length;
    await writeRaw(socket, `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n${valid()}`);
    const exchange = await result;
    socket.destroy();
    // The first 10 bytes are a truncated review (refused as malformed); the leftover is not HTTP, so the
    // parser answers a bare 400 and hangs up, which may pre-empt the first reply. Either way: 400, closed.
    assert.equal(exchange.status, 400, exchange.text);
    assert.equal(exchange.closed, true);
    assert.ok(!/HTTP\/1\.1 200/.test(exchange.text) && !exchange.text.includes("patchType"), "nothing was admitted");
    await waitFor(() => server.logs.records().filter((r) => r.code === "REVIEW_MALFORMED").length === malformedBefore + 1, "the 10-byte body refused as malformed");
    await assertStillServing();
  });

  test("a chunked body that grows past the limit – 413, connection closed, nothing buffered beyond the limit", async () => {
    const socket = await openTls(target);
    const result = collect(socket, 10_000);
    await writeRaw(socket, `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = Buffer.alloc(1024 * 1024, "a");
    let sent = 0;
    let exchange: RawExchange | undefined;
    void result.then((r) => (exchange = r));
    while (sent <= LIMIT + 2 * chunk.length && !exchange && !socket.destroyed) {
      await writeRaw(socket, `${chunk.length.toString(16)}\r\n`);
      await writeRaw(socket, chunk);
      await writeRaw(socket, "\r\n");
      sent += chunk.length;
    }
    const done = await result;
    socket.destroy();
    assert.ok(sent > LIMIT, `sent ${sent} bytes`);
    assertError(asReview(done), 413, "REVIEW_TOO_LARGE", new RegExp(`exceeds the limit of ${LIMIT}`));
    assert.equal(done.closed, true);
    await assertStillServing();
  });

  test("a body just under the limit – parsed (and refused as malformed only for its content)", async () => {
    const padding = "x".repeat(LIMIT - 200);
    const reply = await postReview(target, JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", pad: padding }));
    assertError(reply, 400, "REVIEW_MALFORMED", /request is missing/);
  });

  test("GET /mutate – 405 with Allow: POST", async () => {
    const reply = await httpsCall(target, { method: "GET" });
    assert.equal(reply.status, 405);
    assert.equal(reply.headers.allow, "POST");
    await assertStillServing();
  });

  for (const path of ["/", "/validate", "/mutate/extra", "/metrics", "/livez"]) {
    test(`POST ${path} on the webhook port – 404`, async () => {
      const reply = await httpsCall(target, { path, body: valid(), headers: { "Content-Type": "application/json" } });
      assert.equal(reply.status, 404);
    });
  }

  test("POST /mutate?timeout=10s (as the API server sends it) – served", async () => {
    const reply = await postReview(target, valid(), { path: "/mutate?timeout=10s" });
    assert.equal(reply.status, 200);
  });

  test("keep-alive – several reviews on one connection, as the API server pools them", async () => {
    const socket = await openTls(target);
    const result = collect(socket, 5_000, (text) => text.match(/HTTP\/1\.1 200 OK/g)?.length === 3 && text.trimEnd().endsWith("}"));
    const body = valid();
    for (let i = 0; i < 3; i++) {
      await writeRaw(socket, `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    }
    const exchange = await result;
    socket.destroy();
    assert.equal(exchange.text.match(/HTTP\/1\.1 200 OK/g)?.length, 3);
  });

  test("bad requests are counted by code on /metrics", async () => {
    const text = (await opsCall(server.opsPort, "/metrics")).text;
    assert.ok(metricValue(text, "ci_pod_webhook_bad_requests_total", { code: "UNSUPPORTED_MEDIA_TYPE" }) >= 3);
    assert.ok(metricValue(text, "ci_pod_webhook_bad_requests_total", { code: "REVIEW_TOO_LARGE" }) >= 3);
    assert.ok(metricValue(text, "ci_pod_webhook_bad_requests_total", { code: "REVIEW_MALFORMED" }) >= 10);
  });

  test("no request ever crashed the server: no fatal or unhandled-error log lines", () => {
    const bad = server.logs.records().filter((r) => r.level === "fatal" || r.msg === "unhandled error serving /mutate");
    assert.deepEqual(bad, []);
  });
});
