import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const fixtures = join(repo, "test/fixtures/shared");
const work = mkdtempSync(join(tmpdir(), "explain-"));
after(() => rmSync(work, { recursive: true, force: true }));

function explain(...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "explain", ...args], { cwd: repo, encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

describe("explain CLI", () => {
  test("explain – a GitLab DinD pod: names the system, each mutator and prints the patch, exit 0", () => {
    const { code, stdout } = explain("--file", join(fixtures, "gitlab-attach-dind.pod.json"));
    assert.equal(code, 0);
    assert.match(stdout, /CI system: gitlab \(label job\.runner\.gitlab\.com\/pod\)/);
    assert.match(stdout, /jobId=987654/);
    assert.match(stdout, /ca-trust\s+applied/);
    assert.match(stdout, /docker-host-alias\s+unchanged\s+host alias already present/);
    assert.match(stdout, /JSONPatch:/);
  });

  test("explain – the /dev builds dir pod is denied with exit 1 and the fix", () => {
    const { code, stdout } = explain("--file", join(fixtures, "gitlab-builds-dir-dev.pod.json"));
    assert.equal(code, 1);
    assert.match(stdout, /denied \(BUILDS_DIR_SYSTEM_PATH\)/);
    assert.match(stdout, /init-permissions/);
    assert.match(stdout, /builds_dir/);
  });

  test("explain – a non-CI pod says why it is left alone", () => {
    const { code, stdout } = explain("--file", join(fixtures, "plain-nginx.pod.json"));
    assert.equal(code, 0);
    assert.match(stdout, /skipped: not a CI pod/);
  });

  test("explain --output patch prints a JSON patch that applies; --output pod prints the mutated pod", () => {
    const patch = JSON.parse(explain("--file", join(fixtures, "jenkins-agent-dind.pod.json"), "--output", "patch").stdout) as { op: string; path: string }[];
    assert.ok(patch.length > 0);
    assert.ok(patch.some((op) => op.path === "/spec/hostAliases"));
    const pod = JSON.parse(explain("--file", join(fixtures, "jenkins-agent-dind.pod.json"), "-o", "pod").stdout) as { metadata: { annotations: Record<string, string> } };
    assert.equal(pod.metadata.annotations["ci-pod-webhook.io/mutated"], "ca-trust,dns,docker-host-alias");
  });

  test("explain reads YAML pods and AdmissionReviews, and --namespace applies", () => {
    const yaml = write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: j\n  labels:\n    jenkins/label-digest: abc\nspec:\n  containers:\n  - name: jnlp\n    image: jenkins/inbound-agent\n");
    const out = explain("--file", yaml, "-o", "json", "--namespace", "ci");
    assert.equal(out.code, 0);
    assert.equal((JSON.parse(out.stdout) as { kind: string }).kind, "mutated");
    const review = write("review.json", JSON.stringify({
      apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview",
      request: { uid: "u", kind: { group: "", version: "v1", kind: "Pod" }, resource: { group: "", version: "v1", resource: "pods" }, operation: "CREATE", namespace: "x", object: { kind: "Pod", metadata: { labels: { "jenkins/label-digest": "a" } }, spec: { containers: [{ name: "c", image: "i" }] } } },
    }));
    assert.equal(explain("--file", review).code, 0);
  });

  test("explain – bad input exits 2 with a clear message", () => {
    const missing = explain("--file", join(work, "nope.yaml"));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read file: ENOENT/);
    const notYaml = explain("--file", write("bad.yaml", "a: [\n"));
    assert.equal(notYaml.code, 2);
    assert.match(notYaml.stderr, /not valid YAML or JSON/);
    const notPod = explain("--file", write("svc.yaml", "kind: Service\nspec: {}\n"));
    assert.equal(notPod.code, 2);
    assert.match(notPod.stderr, /expected kind Pod or AdmissionReview, got "Service"/);
    const noFile = explain();
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /--file is required/);
  });

  test("explain – an invalid config names the offending key and exits 2", () => {
    const config = write("config.yaml", "dns:\n  options:\n  - name: ndots\n    value: '99'\nbogus: true\n");
    const out = explain("--file", join(fixtures, "plain-nginx.pod.json"), "--config", config);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /dns\.options\[0\]\.value: ndots must be 0\.\.15/);
    assert.match(out.stderr, /bogus: unknown key/);
  });

  test("explain – a config changes the outcome (buildsDir.action warn admits the /dev pod)", () => {
    const config = write("warn.yaml", "buildsDir:\n  action: warn\n");
    const out = explain("--file", join(fixtures, "gitlab-builds-dir-dev.pod.json"), "--config", config);
    assert.equal(out.code, 0);
    assert.match(out.stdout, /warn mode, would deny/);
  });
});
