/**
 * Size at the edge of what the webhook accepts, against the real `serve` process: real reviews of exactly
 * the body limit and one byte over (Content-Length and chunked), and megabyte strings in every kind of
 * field (names, CI job identifiers, env values, annotations, images, mount paths). Replies are valid
 * reviews; memory returns to its level; no log line carries the body or grows past 16 KiB (a container
 * runtime splits longer lines, and a split JSON line is lost to log parsing).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CleanupStack } from "../support/server-process.js";
import { collect, openTls, rawJsonBody, writeRaw, SERVICE_NAME } from "../support/tls-client.js";
import { assertValidReply, formatPath, HostileHarness, markedPod, withValueAt, type JsonPath } from "../soak/support/hostile.js";
import { ISOLATED } from "../soak/support/observed-server.js";
import { checkReview } from "../soak/support/review-check.js";
import { podReview } from "../support/tls-client.js";

const LIMIT = 8 * 1024 * 1024;
const MEGABYTE = 1024 * 1024;

/** A review of the marked GitLab pod padded (in an annotation) to exactly `bytes` bytes of JSON. */
function reviewOfSize(marker: string, bytes: number): { text: string; review: Record<string, unknown>; pod: unknown } {
  const pod = markedPod("gitlab-attach-dind", marker);
  const pad = (n: number) => {
    const padded = structuredClone(pod);
    padded.metadata = { ...padded.metadata, annotations: { ...padded.metadata?.annotations, "example.com/pad": marker + "p".repeat(n) } };
    return padded;
  };
  const uid = "00000000-0000-4000-8000-00000000size";
  const emptyLength = Buffer.byteLength(JSON.stringify(podReview(pad(0), { uid })));
  const padded = pad(bytes - emptyLength);
  const review = podReview(padded, { uid });
  const text = JSON.stringify(review);
  assert.equal(Buffer.byteLength(text), bytes);
  return { text, review, pod: padded };
}

describe("hostile sizes over TLS", () => {
  const cleanup = new CleanupStack();
  let h: HostileHarness;
  before(async () => {
    h = await HostileHarness.start(cleanup, { config: `${ISOLATED}server:\n  maxRequestBytes: ${LIMIT}\n` });
  });
  after(() => cleanup.run());

  /**
   * POSTs on a raw connection (Content-Length or chunked, in 64 KiB writes) and reads the reply even when
   * the server answers and hangs up before the body is through (a 413 does; an HTTP client would see EPIPE).
   */
  async function rawPost(text: string, framing: "length" | "chunked", sendBytes = Infinity): Promise<{ status: number; text: string }> {
    const whole = Buffer.from(text);
    const bytes = whole.subarray(0, Math.min(whole.length, sendBytes));
    const socket = await openTls(h.server.target);
    const reply = collect(socket, 30_000, (t) => t.includes("\r\n\r\n") && t.trimEnd().endsWith("}"));
    const header = framing === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${whole.length}`;
    await writeRaw(socket, `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: application/json\r\n${header}\r\n\r\n`);
    for (let at = 0; at < bytes.length && !socket.destroyed; at += 64 * 1024) {
      const chunk = bytes.subarray(at, at + 64 * 1024);
      await writeRaw(socket, framing === "chunked" ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]) : chunk);
    }
    if (framing === "chunked" && bytes.length === whole.length) await writeRaw(socket, "0\r\n\r\n");
    const exchange = await reply;
    socket.destroy();
    assert.ok(exchange.status, exchange.text.slice(0, 100));
    return { status: exchange.status, text: JSON.stringify(rawJsonBody(exchange)) };
  }

  test("a real review of exactly the limit – patched; one byte more – 413 (Content-Length and chunked)", async () => {
    const marker = h.marker();
    const atLimit = reviewOfSize(marker, LIMIT);
    const overLimit = reviewOfSize(marker, LIMIT + 1);
    for (const framing of ["length", "chunked"] as const) {
      const exact = await rawPost(atLimit.text, framing);
      const checked = checkReview(exact.status, exact.text, { body: atLimit.review, applyTo: atLimit.pod });
      assert.deepEqual(checked.problems, [], `exactly the limit (${framing})`);
      assert.equal(exact.status, 200, `exactly the limit (${framing})`);
      assert.ok(checked.patch, `patched (${framing})`);
      // Over the limit by Content-Length, the reply comes before the body: send only its start, since a server
      // that closes with unread bytes pending makes the kernel reset the connection, which can drop the reply.
      const over = await rawPost(overLimit.text, framing, framing === "length" ? 64 * 1024 : Infinity);
      assert.equal(over.status, 413, `one byte over (${framing})`);
      assert.deepEqual(checkReview(over.status, over.text, { body: overLimit.review }).problems, []);
    }
    await h.afterCase("at the limit");
  });

  test("megabyte strings in names, identifiers, env values, annotations, images and paths – valid replies, bounded log lines", async () => {
    const marker = h.marker();
    const big = (withMarker: boolean) => (withMarker ? marker : "n") + "x".repeat(MEGABYTE);
    const pod = markedPod("gitlab-attach-dind", marker);
    const base = podReview(pod);
    const object: JsonPath = ["request", "object"];
    const spec: JsonPath = [...object, "spec"];
    const build = ["request", "object", "spec", "containers", 0];
    /** [what, path, a name the audit line carries by design (no marker there)] */
    const cases: [string, JsonPath, boolean][] = [
      ["request.uid", ["request", "uid"], true],
      ["request.name", ["request", "name"], true],
      ["request.namespace", ["request", "namespace"], true],
      ["request.userInfo.username", ["request", "userInfo", "username"], true],
      ["pod name", [...object, "metadata", "name"], true],
      ["CI job URL annotation", [...object, "metadata", "annotations", "job.runner.gitlab.com/url"], true],
      ["CI runner label", [...object, "metadata", "labels", "manager.runner.gitlab.com/name"], true],
      ["container name", [...build, "name"], true],
      ["env value", [...build, "env", 0, "value"], false],
      ["a plain annotation", [...object, "metadata", "annotations", "example.com/big"], false],
      ["the skip annotation", [...object, "metadata", "annotations", "ci-pod-webhook.io/skip"], false],
      ["the mutated annotation", [...object, "metadata", "annotations", "ci-pod-webhook.io/mutated"], false],
      ["image", [...build, "image"], false],
      ["a command word", [...build, "command", 2], false],
      ["a mountPath", [...build, "volumeMounts", 0, "mountPath"], false],
      ["a volume name", [...spec, "volumes", 0, "name"], false],
      ["a hostAliases hostname", [...spec, "hostAliases"], false],
      ["a resolver option value", [...spec, "dnsConfig"], false],
    ];
    for (const [what, path, named] of cases) {
      let value: unknown = big(!named);
      if (what === "a hostAliases hostname") value = [{ ip: "10.0.0.1", hostnames: [big(true)] }];
      if (what === "a resolver option value") value = { options: [{ name: "timeout", value: big(true) }] };
      let review = withValueAt(base, path, value) as Record<string, unknown>;
      if (what === "pod name") review = withValueAt(review, ["request", "name"], "") as Record<string, unknown>;
      const text = JSON.stringify(review);
      const sent = review as { request: { object: unknown } };
      const result = await h.post(text, { body: review, applyTo: sent.request.object });
      assertValidReply(result, `${what} (${formatPath(path)})`, [200]);
    }
    // And a pod name of a megabyte through generateName, with a megabyte label key.
    const generated = structuredClone(pod);
    generated.metadata = { ...generated.metadata, name: undefined, generateName: big(false), labels: { ...generated.metadata?.labels, [big(true)]: "v" } };
    const review = podReview(generated, { name: "" });
    assertValidReply(await h.post(JSON.stringify(review), { body: review, applyTo: generated }), "generateName and a label key", [200]);
    // The paths that log a request's uid and namespace: a refused envelope and an internal error in the core.
    const refused = withValueAt(withValueAt(base, ["request", "uid"], big(false)), ["request", "dryRun"], "yes");
    assertValidReply(await h.post(JSON.stringify(refused), { body: refused }), "a megabyte uid on a refused envelope", [400]);
    const broken = withValueAt(withValueAt(base, [...build, "volumeMounts"], { name: "not-a-list" }), ["request", "namespace"], big(false));
    const brokenReply = await h.post(JSON.stringify(broken), { body: broken });
    assertValidReply(brokenReply, "a megabyte namespace on a pod the core cannot process", [200]);
    assert.equal(brokenReply.checked.review?.response.auditAnnotations?.code, "INTERNAL_ERROR");
    await h.afterCase("megabyte strings");
  });

  test("the process never crashed and its logs hold names and codes only", (t) => h.assertSurvived((line) => t.diagnostic(line)));
});
