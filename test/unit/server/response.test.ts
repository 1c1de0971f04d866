import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { admit } from "../../../src/admission/admit.js";
import { responseFor } from "../../../src/admission/response.js";
import { defaultConfig } from "../../../src/config/load-config.js";
import { SHARED_FIXTURES, loadFixture } from "../../support/fixtures.js";
import { podCreateRequest } from "../../support/requests.js";

const config = defaultConfig();

// Any non-empty patch costs the API server ~5 ms (a second pass of the mutating chain and a json-patch
// round trip of the whole pod, see README "Performance"), even a patch that changes nothing.
describe("responses carry a patch only when the pod changes", () => {
  for (const name of SHARED_FIXTURES) {
    test(`response – ${name}: patched once, then no patch field at all on the mutated pod`, () => {
      const first = admit(podCreateRequest(loadFixture(name)), { config });
      const firstResponse = responseFor("u1", first);
      assert.equal(firstResponse.patch !== undefined, first.kind === "mutated");
      assert.equal(firstResponse.patchType !== undefined, first.kind === "mutated");
      if (first.kind !== "mutated") return;
      const again = responseFor("u2", admit(podCreateRequest(first.pod), { config }));
      assert.equal(again.patch, undefined);
      assert.equal(again.patchType, undefined);
      assert.equal(again.allowed, true);
    });
  }
});
