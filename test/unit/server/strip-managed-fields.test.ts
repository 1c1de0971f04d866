import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { stripManagedFields } from "../../../src/server/strip-managed-fields.js";

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

const tricky = fc.constantFrom('"managedFields"', '{"managedFields":[1]}', "\\", '\\"', "]", "[", "{", "}", ",", ":", "managedFields", '\\\\"managedFields\\\\":[');
const leaf = fc.oneof(fc.string(), tricky, fc.integer(), fc.boolean(), fc.constant(null));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("value"), { maxLength: 4 }), tie("object")),
  object: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("managedFields", "metadata", "spec")), tie("value"), { maxKeys: 5 }),
})).value;

describe("stripManagedFields", () => {
  test("strip – the result parses to the input without its array-valued managedFields keys (compact and indented JSON)", () => {
    fc.assert(
      fc.property(json, fc.constantFrom(0, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        assert.deepStrictEqual(JSON.parse(stripManagedFields(text)), dropManagedFields(value));
      }),
      { numRuns: 3000 },
    );
  });

  test("strip – an AdmissionReview as the API server sends it loses only metadata.managedFields", () => {
    const pod = JSON.parse(readFileSync(new URL("../../fixtures/shared/gitlab-attach-dind.pod.json", import.meta.url), "utf8")) as { metadata: Record<string, unknown> };
    pod.metadata.managedFields = [{ manager: "gitlab-runner", operation: "Update", fieldsType: "FieldsV1", fieldsV1: { "f:metadata": { "f:labels": { ".": {} } } } }];
    const review = { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u", object: pod, oldObject: null } };
    const stripped = JSON.parse(stripManagedFields(JSON.stringify(review))) as typeof review;
    const { managedFields: _dropped, ...metadata } = pod.metadata;
    assert.deepStrictEqual(stripped.request.object.metadata, metadata);
    assert.ok(stripManagedFields(JSON.stringify(review)).length < JSON.stringify(review).length);
  });

  test("strip – text without a managedFields array comes back as the same string", () => {
    const text = JSON.stringify({ metadata: { managedFields: "not an array", annotations: { managedFields: "x" } } });
    assert.equal(stripManagedFields(text), text);
  });

  test("strip – a truncated body is left as it is, so JSON.parse reports the real error", () => {
    const text = '{"request":{"object":{"metadata":{"managedFields":[{"manager":"x"';
    assert.equal(stripManagedFields(text), text);
  });
});
