/** The test helpers other tests build on: configWith, podCreateRequest, loadFixture. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isPodCreate } from "../../src/admission/request.js";
import { defaultConfig } from "../../src/config/load-config.js";
import { configWith } from "../support/config.js";
import { loadFixture, SHARED_FIXTURES } from "../support/fixtures.js";
import { podCreateRequest } from "../support/requests.js";

describe("support – configWith", () => {
  test("configWith – {} is exactly the defaults", () => {
    assert.deepStrictEqual(configWith({}), defaultConfig());
  });
  test("configWith – nested objects merge, leaving sibling defaults", () => {
    const config = configWith({ caTrust: { overlaySystemPaths: true } });
    assert.equal(config.caTrust.overlaySystemPaths, true);
    assert.equal(config.caTrust.configMapName, "ci-ca-bundle");
    assert.equal(config.dns.enabled, true);
  });
  test("configWith – arrays replace the default list instead of merging into it", () => {
    assert.deepEqual(configWith({ buildsDir: { allowedPaths: ["/dev/fuse"] } }).buildsDir.allowedPaths, ["/dev/fuse"]);
    assert.deepEqual(configWith({ dns: { options: [{ name: "edns0" }] } }).dns.options, [{ name: "edns0" }]);
  });
  test("configWith – the result is validated and frozen like a loaded config", () => {
    assert.ok(Object.isFrozen(configWith({ mode: "audit" }).caTrust));
    assert.throws(() => configWith({ unknownKey: 1 }), /unknownKey: unknown key/);
  });
});

describe("support – podCreateRequest", () => {
  test("podCreateRequest – a pod CREATE that isPodCreate accepts, with namespace and name from the pod", () => {
    const req = podCreateRequest(loadFixture("jenkins-agent-dind"));
    assert.ok(isPodCreate(req));
    assert.equal(req.namespace, "jenkins-agents");
    assert.equal(req.name, "platform-image-builder-main-57-r8k2v-4vbbd-h2n7q");
  });
  test("podCreateRequest – generateName pods carry no request name, as from the API server", () => {
    const req = podCreateRequest(loadFixture("gitlab-builds-dir-dev"));
    assert.equal(req.name, undefined);
    assert.equal(req.namespace, "gitlab-ci");
  });
  test("podCreateRequest – overrides win", () => {
    const req = podCreateRequest(loadFixture("plain-nginx"), { operation: "UPDATE", namespace: "other" });
    assert.equal(req.operation, "UPDATE");
    assert.equal(req.namespace, "other");
    assert.ok(!isPodCreate(req));
  });
});

describe("support – loadFixture", () => {
  test("loadFixture – every shared fixture parses to a v1 Pod without status", () => {
    for (const name of SHARED_FIXTURES) {
      const pod = loadFixture(name);
      assert.equal(pod.kind, "Pod", name);
      assert.equal(pod.apiVersion, "v1", name);
      assert.equal(pod.status, undefined, name);
    }
  });
  test("loadFixture – each call is a fresh object (tests cannot leak edits)", () => {
    const a = loadFixture("plain-nginx");
    a.metadata!.labels!.app = "changed";
    assert.equal(loadFixture("plain-nginx").metadata?.labels?.app, "web");
  });
  test("loadFixture – an unknown name fails loudly", () => {
    assert.throws(() => loadFixture("no-such-fixture"), /no fixture named no-such-fixture/);
  });
});
