import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { decodeWithoutManagedFields } from "../../../src/server/strip-managed-fields.js";

/** The reference: drop every array-valued `managedFields` key, at any depth. */
function dropManagedFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropManagedFields);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).filter(([k, v]) => !(k === "managedFields" && Array.isArray(v))).map(([k, v]) => [k, dropManagedFields(v)]),
    );
  }
  return value;
}

const strip = (text: string): string => decodeWithoutManagedFields(Buffer.from(text, "utf8"));

const tricky = fc.constantFrom(
  '"managedFields"', '{"managedFields":[1]}', "\\", '\\"', "]", "[", "{", "}", ",", ":", "managedFields", '\\\\"managedFields\\\\":[',
  ']},"spec":{', "]}", ']},"', "é", "日本", "🚀]", "k:{\"name\":\"A]\"}",
);
const leaf = fc.oneof(fc.string(), fc.string({ unit: "binary" }), tricky, fc.integer(), fc.boolean(), fc.constant(null));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("value"), { maxLength: 4 }), tie("object")),
  object: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("managedFields", "metadata", "spec")), tie("value"), { maxKeys: 5 }),
})).value;

/** managedFields shaped as the API server writes it: objects only inside, last in metadata, `spec` after. */
const fieldsV1 = fc.letrec((tie) => ({
  node: fc.dictionary(fc.oneof(fc.string({ unit: "binary" }), tricky, fc.constantFrom("f:name", "k:{\"name\":\"x\"}", ".")), fc.oneof(fc.constant({}), tie("node")), { maxKeys: 4 }),
})).node;
const entry = fc.record({ manager: fc.oneof(fc.string({ unit: "binary" }), tricky), operation: fc.constantFrom("Update", "Apply"), fieldsType: fc.constant("FieldsV1"), fieldsV1 });
const apiServerPod = fc.record({
  kind: fc.constant("Pod"),
  metadata: fc.record({ name: fc.oneof(fc.string({ unit: "binary" }), tricky), annotations: fc.dictionary(fc.string(), fc.oneof(fc.string({ unit: "binary" }), tricky), { maxKeys: 3 }), managedFields: fc.array(entry, { maxLength: 3 }) }),
  spec: fc.record({ containers: fc.array(fc.record({ name: fc.oneof(fc.string(), tricky) }), { maxLength: 2 }) }),
});

describe("decodeWithoutManagedFields", () => {
  test("strip – the result parses to the input without its array-valued managedFields keys (compact and indented JSON, any UTF-8)", () => {
    fc.assert(
      fc.property(json, fc.constantFrom(0, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        assert.deepStrictEqual(JSON.parse(strip(text)), dropManagedFields(value));
      }),
      { numRuns: 3000 },
    );
  });

  test("strip – pods shaped as the API server writes them (the bracket-free fast path) lose exactly their managedFields", () => {
    fc.assert(
      fc.property(apiServerPod, (pod) => {
        const review = { request: { object: pod, oldObject: pod } };
        assert.deepStrictEqual(JSON.parse(strip(JSON.stringify(review))), dropManagedFields(review));
      }),
      { numRuns: 2000 },
    );
  });

  test("strip – an AdmissionReview as the API server sends it loses only metadata.managedFields", () => {
    const pod = JSON.parse(readFileSync(new URL("../../fixtures/shared/gitlab-attach-dind.pod.json", import.meta.url), "utf8")) as { metadata: Record<string, unknown> };
    pod.metadata.managedFields = [{ manager: "gitlab-runner", operation: "Update", fieldsType: "FieldsV1", fieldsV1: { "f:metadata": { "f:labels": { ".": {} } } } }];
    const review = { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u", object: pod, oldObject: null } };
    const text = JSON.stringify(review);
    const stripped = JSON.parse(strip(text)) as typeof review;
    const { managedFields: _dropped, ...metadata } = pod.metadata;
    assert.deepStrictEqual(stripped.request.object.metadata, metadata);
    assert.ok(strip(text).length < text.length);
  });

  test("strip – a `]` inside a managedFields string before the array's end is not taken for the end", () => {
    const text = '{"metadata":{"managedFields":[{"manager":"a]},\\"spec\\":{","fieldsV1":{"k:{\\"name\\":\\"A]\\"}":{}}}]},"spec":{"containers":[]}}';
    assert.deepStrictEqual(JSON.parse(strip(text)), { metadata: {}, spec: { containers: [] } });
  });

  test("strip – an array nested inside managedFields is skipped whole, even where it looks like the end", () => {
    const text = '{"metadata":{"managedFields":[{"x":[1]},"yes"]},"spec":{"a":[]}}';
    assert.deepStrictEqual(JSON.parse(strip(text)), { metadata: {}, spec: { a: [] } });
  });

  test("strip – text without a managedFields array decodes unchanged", () => {
    const text = JSON.stringify({ metadata: { managedFields: "not an array", annotations: { managedFields: "x", note: "héllo" } } });
    assert.equal(strip(text), text);
  });

  test("strip – a truncated body is left as it is, so JSON.parse reports the real error", () => {
    const text = '{"request":{"object":{"metadata":{"managedFields":[{"manager":"x"';
    assert.equal(strip(text), text);
  });
});
