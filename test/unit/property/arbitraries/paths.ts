/**
 * Mount paths as CI systems and users write them: clean absolute paths, system paths the builds-dir guard
 * must catch or let through, and odd spellings the API accepts (`//`, trailing `/`, `.`, `..`, relative,
 * unicode, very long). Never empty: the API rejects an empty mountPath.
 */
import fc from "fast-check";

/** Paths with a known meaning for the webhook: denied, allowed, near misses, CA targets, CI trees. */
export const NAMED_PATHS = [
  "/", "/dev", "/dev/", "//dev", "/dev/shm", "/dev/shm/", "/dev/shm/../pts", "/dev/shmx", "/devices", "/proc/x",
  "/proc", "/sys/fs/cgroup", "/sysx", "/var", "/var/", "/var/run", "/var/run/docker.sock", "/run", "/var/lib/docker",
  "/var/run/secrets/kubernetes.io/serviceaccount", "/usr", "/usr/local", "/usr/lib/x", "/etc", "/etc/ssl", "/etc/ssl/certs",
  "/etc/ci-pod-webhook", "/etc/ci-pod-webhook/ca", "/etc/ci-pod-webhook/ca/", "/etc/ci-pod-webhook/ca/sub",
  "/etc/docker/certs.d", "/etc/docker", "/builds", "/builds/../dev", "/builds/./x/..", "dev", "./proc/1", "..", ".",
  "/tekton/run", "/home/runner/_work", "/home/jenkins/agent", "/certs/client", "/scripts-1-2", "/logs-1-2",
  "/usr/local/share/ca-certificates", "/workspace/ünïcødé", `/${"long".repeat(80)}/x`, `/builds/${"x".repeat(4000)}`,
];

const SEGMENTS = [
  "", "", ".", "..", "dev", "shm", "proc", "self", "sys", "var", "run", "usr", "lib", "etc", "ssl", "certs", "builds",
  "tekton", "home", "x", "devx", "ünï", "😀", "a b", "a".repeat(200),
];

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SEGMENTS) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9._-]{1,8}$/) },
);

/** A path assembled from segments with an optional leading `/` or `//` and an optional trailing slash. */
export const oddPathArb: fc.Arbitrary<string> = fc
  .record({
    lead: fc.constantFrom("/", "/", "/", "//", ""),
    segments: fc.array(segment, { maxLength: 6 }),
    trail: fc.constantFrom("", "", "", "/", "//"),
  })
  .map(({ lead, segments, trail }) => `${lead}${segments.join("/")}${segments.length > 0 ? trail : ""}`)
  .filter((path) => path.length > 0);

export const mountPathArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...NAMED_PATHS) },
  { weight: 3, arbitrary: oddPathArb },
);

/** A subPath the API accepts: relative, no `..` segment. */
export const subPathArb: fc.Arbitrary<string> = fc.constantFrom("ca.crt", "sub/dir", "x.pem", "ünï");
