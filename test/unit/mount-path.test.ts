/** mountPath normalisation and containment: the guard and the CA planner compare paths only this way. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isAtOrUnder, normaliseMountPath, pathsOverlap } from "../../src/mutators/mount-path.js";

describe("normaliseMountPath", () => {
  const rows: [input: string, expected: string][] = [
    ["/dev", "/dev"],
    ["//dev", "/dev"],
    ["/dev/", "/dev"],
    ["/dev//", "/dev"],
    ["///dev///shm//", "/dev/shm"],
    ["/builds/../proc", "/proc"],
    ["/builds/./../sys/", "/sys"],
    ["/./dev", "/dev"],
    ["dev", "/dev"],
    ["builds/../dev", "/dev"],
    ["/../../dev", "/dev"],
    ["/dev/shm/../..", "/"],
    ["/builds/group/..dev", "/builds/group/..dev"],
    ["/var/run/", "/var/run"],
    ["/", "/"],
  ];
  for (const [input, expected] of rows) {
    test(`mount path – ${JSON.stringify(input)} resolves to ${expected}`, () => assert.equal(normaliseMountPath(input), expected));
  }
});

describe("isAtOrUnder / pathsOverlap", () => {
  const rows: [path: string, dir: string, under: boolean][] = [
    ["/dev", "/dev", true],
    ["/dev/shm", "/dev", true],
    ["/devices", "/dev", false],
    ["/dev-tools", "/dev", false],
    ["/", "/dev", false],
    ["/anything", "/", true],
    ["/etc/ci-pod-webhook/ca", "/etc/ci-pod-webhook", true],
    ["/etc/ci-pod-webhook", "/etc/ci-pod-webhook/ca", false],
  ];
  for (const [path, dir, under] of rows) {
    test(`isAtOrUnder – ${path} ${under ? "is" : "is not"} at or under ${dir}`, () => assert.equal(isAtOrUnder(path, dir), under));
  }
  test("pathsOverlap – a parent and its child overlap both ways", () => {
    assert.equal(pathsOverlap("/etc/ssl", "/etc/ssl/certs/ca.pem"), true);
    assert.equal(pathsOverlap("/etc/ssl/certs/ca.pem", "/etc/ssl"), true);
  });
  test("pathsOverlap – siblings with a common prefix do not overlap", () => {
    assert.equal(pathsOverlap("/etc/ssl", "/etc/ssl2"), false);
  });
});
