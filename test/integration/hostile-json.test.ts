/**
 * Hostile JSON against the real `serve` process over TLS: a real review truncated at hundreds of cut
 * points, fuzzed into malformed JSON, every value of it replaced by a value of each wrong type, and nested
 * a hundred thousand levels deep. Every reply is a valid AdmissionReview; after each case the next valid
 * review is served, memory is back at its level after a forced GC, and no log line holds the marker the
 * bodies carry (see test/soak/support/hostile.ts).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { CleanupStack } from "../support/server-process.js";
import {
  assertValidReply, formatPath, HostileHarness, markedReview, valuePaths, withValueAt, type JsonPath,
} from "../soak/support/hostile.js";
import { ISOLATED } from "../soak/support/observed-server.js";
import { runPool } from "../soak/support/pool.js";

const LIMIT = 8 * 1024 * 1024;
const CONCURRENCY = 8;
const DEPTH = 100_000;

/**
 * Values the webhook logs by design when they are strings: the request's identity, the pod's name and
 * namespace, the CI job identifiers (label and annotation values), container names (in the audit
 * line's list of changes). No marker is put there as a string; a wrong-typed value there must still not be logged.
 */
function isLoggedName(path: JsonPath): boolean {
  const p = formatPath(path);
  return /^request\.(uid|name|namespace|operation|userInfo\.username)$/.test(p)
    || /^request\.object\.metadata\.(name|generateName|namespace|labels\..+|annotations\..+)$/.test(p)
    || /^request\.object\.spec\.(initContainers|containers)\[\d+\]\.name$/.test(p);
}

/** Container names reach the audit line through `String(name)`: no marker in any shape there. */
function isCoercedName(path: JsonPath): boolean {
  return /^request\.object\.spec\.(initContainers|containers)\[\d+\]\.name$/.test(formatPath(path));
}

const RAW_NUMBER = "__hostile_raw_number__";

/** The wrong-typed values for one path; `marker` goes wherever the webhook must not log it. */
function replacements(path: JsonPath, marker: string): unknown[] {
  const named = isLoggedName(path);
  const coerced = isCoercedName(path);
  return [
    null,
    12345,
    named ? "replaced-name" : `${marker}-string`,
    coerced ? ["replaced"] : [`${marker}-array`],
    coerced ? { replaced: true } : { key: `${marker}-object` },
    true,
    RAW_NUMBER,
  ];
}

/** JSON text for a value, with the raw-number sentinel turned into a number JSON.parse reads as Infinity. */
function toText(value: unknown): string {
  return JSON.stringify(value).replaceAll(`"${RAW_NUMBER}"`, "1e400");
}

describe("hostile JSON over TLS", () => {
  const cleanup = new CleanupStack();
  let h: HostileHarness;
  before(async () => {
    h = await HostileHarness.start(cleanup, { config: `${ISOLATED}server:\n  maxRequestBytes: ${LIMIT}\n` });
  });
  after(() => cleanup.run());

  test("a real review truncated at 330 cut points – every reply a 400 AdmissionReview", async () => {
    const marker = h.marker();
    const text = JSON.stringify(markedReview("gitlab-attach-dind", marker));
    const cuts = new Set<number>();
    for (let i = 0; i < 64; i++) cuts.add(i).add(text.length - 1 - i);
    for (let i = 0; i < 200; i++) cuts.add(Math.floor((text.length * i) / 200));
    cuts.delete(text.length);
    const results = await runPool([...cuts], CONCURRENCY, async (cut) => ({ cut, result: await h.post(text.slice(0, cut)) }));
    for (const { cut, result } of results) {
      assertValidReply(result, `cut at ${cut}`, [400]);
      assert.equal(result.checked.review?.response.status?.reason, "REVIEW_MALFORMED");
    }
    await h.afterCase("truncated JSON");
  });

  test("malformed JSON (fast-check: inserted, deleted, replaced and invalid UTF-8 bytes) – 200 or 400, always a review", async () => {
    const marker = h.marker();
    const source = Buffer.from(JSON.stringify(markedReview("jenkins-agent-dind", marker)));
    const junk = ["{", "}", "[", "]", ":", ",", '"', "\\", "\u0000", "\ufeff", "\ud800", "\\u", "\\ud800", "1e999", "-", "NaN", "//", "\n", "\u2028", "é"].map((s) => Buffer.from(s));
    junk.push(Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xe2, 0x82]), Buffer.from([0xf0, 0x9f, 0x98]));
    const edit = fc.record({ at: fc.nat({ max: source.length }), kind: fc.constantFrom("insert", "delete", "replace", "duplicate"), junk: fc.constantFrom(...junk), span: fc.integer({ min: 1, max: 64 }) });
    let served = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
        let body = source;
        for (const e of edits) {
          const at = Math.min(e.at, body.length);
          const rest = body.subarray(Math.min(body.length, at + (e.kind === "insert" || e.kind === "duplicate" ? 0 : e.span)));
          const middle = e.kind === "delete" ? Buffer.alloc(0) : e.kind === "duplicate" ? body.subarray(at, at + e.span) : e.junk;
          body = Buffer.concat([body.subarray(0, at), middle, e.kind === "duplicate" ? body.subarray(at) : rest]);
        }
        let sent: unknown;
        try {
          sent = JSON.parse(body.toString("utf8"));
        } catch {
          sent = undefined;
        }
        const result = await h.post(body, { body: sent });
        assertValidReply(result, "malformed JSON");
        if (result.status === 200) served++;
        else refused++;
      }),
      { numRuns: 300 },
    );
    assert.ok(refused > 100, `most edits break the JSON (${served} served, ${refused} refused)`);
    await h.afterCase("malformed JSON");
  });

  test("wrong types at every path of a real review (null, number, string, array, object, bool, 1e400) – always a review", async () => {
    const marker = h.marker();
    const review = markedReview("jenkins-agent-dind", marker);
    const cases = valuePaths(review).flatMap((path) => replacements(path, marker).map((value) => ({ path, value })));
    assert.ok(cases.length > 800, `${cases.length} cases`);
    const tally = new Map<string, number>();
    await runPool(cases, CONCURRENCY, async ({ path, value }) => {
      const changed = withValueAt(review, path, value);
      const text = toText(changed);
      const sent = JSON.parse(text) as { request?: { object?: unknown } };
      const result = await h.post(text, { body: sent, applyTo: sent.request?.object });
      assertValidReply(result, `${formatPath(path)} = ${toText(value)}`);
      const response = result.checked.review?.response;
      const outcome = result.status === 400 ? "refused" : response?.patch ? "patched" : response?.allowed ? "allowed" : "denied";
      tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
    });
    assert.ok((tally.get("patched") ?? 0) > 100 && (tally.get("refused") ?? 0) > 20, JSON.stringify([...tally]));
    await h.afterCase("wrong types");
  });

  test("wrong types at sampled paths of the largest review (fast-check), key removed too", async () => {
    const marker = h.marker();
    const review = markedReview("gitlab-attach-dind", marker);
    const paths = valuePaths(review);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.nat({ max: 7 }), async (path, pick) => {
        const options = replacements(path, marker);
        let changed: unknown;
        if (pick === 7) {
          changed = structuredClone(review);
          let parent = changed as Record<string | number, unknown>;
          for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
          if (Array.isArray(parent)) parent.splice(path.at(-1) as number, 1);
          else delete parent[path.at(-1) as string];
        } else changed = withValueAt(review, path, options[pick]);
        const text = toText(changed);
        const sent = JSON.parse(text) as { request?: { object?: unknown } };
        assertValidReply(await h.post(text, { body: sent, applyTo: sent.request?.object }), `${formatPath(path)} #${pick}`);
      }),
      { numRuns: 250 },
    );
    await h.afterCase("wrong types, sampled");
  });

  test("managedFields anywhere, of any shape (the webhook cuts them out of the text before parsing) – the same reply as without them", async () => {
    const marker = h.marker();
    const review = markedReview("tekton-taskrun-dind", marker);
    const pod = (review.request as { object: unknown }).object;
    const plain = await h.post(JSON.stringify(review), { body: review, applyTo: pod });
    assertValidReply(plain, "the plain review", [200]);
    const objects = [[], ...valuePaths(review)].filter((path) => {
      let v: unknown = review;
      for (const key of path) v = (v as Record<string | number, unknown>)[key];
      return v !== null && typeof v === "object" && !Array.isArray(v);
    });
    const tricky = fc.constantFrom("]", "[", "}", "{", '"', "\\", '\\"', '"],"x":[', `${marker}-managed`, "\u005d", ",\"managedFields\":[");
    const value = fc.oneof(
      fc.array(fc.oneof(tricky, fc.string(), fc.integer(), fc.constant(null), fc.array(tricky), fc.dictionary(tricky, tricky)), { maxLength: 5 }),
      fc.constantFrom<unknown>("not an array", 7, null, { managedFields: [1] }, [[[[]]]]),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...objects), value), { minLength: 1, maxLength: 4 }), fc.constantFrom(0, 1, "\t"), async (places, indent) => {
        let changed: unknown = review;
        for (const [path, v] of places) changed = withValueAt(changed, [...path, "managedFields"], v);
        const text = JSON.stringify(changed, null, indent);
        const sent = JSON.parse(text) as { request: { object: unknown } };
        const result = await h.post(text, { body: sent, applyTo: sent.request.object });
        assertValidReply(result, "managedFields", [200]);
        assert.deepEqual(result.checked.patch, plain.checked.patch, "the reply differs from the plain review's");
      }),
      { numRuns: 200 },
    );
    await h.afterCase("managedFields");
  });

  test(`nesting ${DEPTH} levels deep (JSON.parse copes; JSON.stringify would throw RangeError) – a review, no crash`, async () => {
    const marker = h.marker();
    const deepArray = `${"[".repeat(DEPTH)}"${marker}-deep"${"]".repeat(DEPTH)}`;
    const deepObject = `${'{"a":'.repeat(DEPTH)}"${marker}-deep"${"}".repeat(DEPTH)}`;
    const placed = (path: JsonPath, deep: string): string => {
      // request.name emptied, so the pod's own metadata.name is what the audit line reads.
      const review = withValueAt(withValueAt(markedReview("gitlab-attach-dind", marker), ["request", "name"], ""), path, "__hostile_deep__");
      return JSON.stringify(review).replace('"__hostile_deep__"', deep);
    };
    /** [what, body, outcome]: a deep value where the webhook does not need to look must not stop the patch. */
    const cases: [string, string, "refused" | "patched"][] = [
      ["the whole body an array", deepArray, "refused"],
      ["the whole body an object", deepObject, "refused"],
      ["request.uid", placed(["request", "uid"], deepArray), "refused"],
      ["request.userInfo.username", placed(["request", "userInfo", "username"], deepArray), "patched"],
      ["pod metadata.name", placed(["request", "object", "metadata", "name"], deepArray), "patched"],
      ["an annotation", placed(["request", "object", "metadata", "annotations", "example.com/deep"], deepObject), "patched"],
      ["an env value", placed(["request", "object", "spec", "containers", 0, "env", 0, "value"], deepArray), "patched"],
      ["spec.dnsConfig (merged by the webhook)", placed(["request", "object", "spec", "dnsConfig"], `{"searches":${deepArray}}`), "patched"],
      ["an unknown spec field", placed(["request", "object", "spec", "x"], deepObject), "patched"],
      ["a volume", placed(["request", "object", "spec", "volumes", 0, "configMap"], deepObject), "patched"],
    ];
    for (const [what, body, outcome] of cases) {
      const result = await h.post(body, { body: JSON.parse(body) as unknown });
      assertValidReply(result, what, outcome === "refused" ? [400] : [200]);
      if (outcome === "patched") assert.equal(result.checked.review?.response.patchType, "JSONPatch", `${what}: not patched`);
    }
    await h.afterCase("deep nesting");
  });

  test("the process never crashed and its logs hold names and codes only", async (t) => {
    for (const line of h.memoryReport) t.diagnostic(line);
    h.assertLogsClean("all cases");
    const signalled = h.server.process.exited;
    h.server.process.child.kill("SIGTERM");
    assert.equal(await signalled, 0, "a clean exit after all the hostile input");
    h.assertLogsClean("after exit");
    const audit = h.server.logs().find((s) => s.name.endsWith("audit"))?.text ?? "";
    assert.ok(audit.split("\n").length > 500, "the admissions were audited");
  });
});
