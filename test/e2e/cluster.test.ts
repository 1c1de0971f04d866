import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { CoreV1Api, VersionApi } from "@kubernetes/client-node";
import { ensureNamespace, isAlive, startCluster, type TestCluster } from "./cluster/index.js";

const run = promisify(execFile);

describe("e2e cluster harness (real kube-apiserver + etcd)", () => {
  let cluster: TestCluster;
  const namespace = "smoke";

  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  test("serves the pinned Kubernetes version with the admission plugins on", async () => {
    const version = await cluster.kubeConfig().makeApiClient(VersionApi).getCode();
    assert.match(version.gitVersion, /^v1\.33\.\d+$/);
    const log = readFileSync(cluster.logs().apiserver, "utf8");
    for (const plugin of ["NamespaceLifecycle", "ServiceAccount", "MutatingAdmissionWebhook"]) {
      assert.match(log, new RegExp(`mutating admission controller\\(s\\).*\\b${plugin}\\b`), plugin);
    }
    for (const plugin of ["ValidatingAdmissionPolicy", "ValidatingAdmissionWebhook"]) {
      assert.match(log, new RegExp(`validating admission controller\\(s\\).*\\b${plugin}\\b`), plugin);
    }
  });

  test("creates a namespace with its default ServiceAccount, and a Pod in it", async () => {
    await ensureNamespace(cluster, namespace, { "e2e.ci-pod-webhook/smoke": "true" });
    await ensureNamespace(cluster, namespace, { extra: "label" }); // idempotent
    const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    const ns = await core.readNamespace({ name: namespace });
    assert.equal(ns.metadata?.labels?.["e2e.ci-pod-webhook/smoke"], "true");
    assert.equal(ns.metadata?.labels?.extra, "label");
    await core.readNamespacedServiceAccount({ namespace, name: "default" });

    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: "hello" },
        spec: { containers: [{ name: "main", image: "busybox:1.36", command: ["true"] }] },
      },
    });
    const pod = await core.readNamespacedPod({ namespace, name: "hello" });
    assert.equal(pod.spec?.containers[0]?.image, "busybox:1.36");
    // The ServiceAccount admission plugin ran: default SA and the projected token volume.
    assert.equal(pod.spec?.serviceAccountName, "default");
    assert.ok(pod.spec?.volumes?.some((v) => v.name.startsWith("kube-api-access-")), "token volume");
    assert.equal(pod.spec?.nodeName, undefined); // no scheduler: stays Pending
  });

  test("kubectl works with the kubeconfig", async (t) => {
    const kubectl = await run("kubectl", ["version", "--client"]).catch(() => null);
    if (kubectl === null) return t.skip("kubectl not on PATH");
    const { stdout } = await run("kubectl", ["--kubeconfig", cluster.kubeconfigPath, "get", "ns", "-o", "name"]);
    assert.match(stdout, new RegExp(`^namespace/${namespace}$`, "m"));
    assert.match(stdout, /^namespace\/kube-system$/m);
  });

  test("stop() kills both processes and removes the temp dir", async () => {
    const { pids, dir } = cluster;
    assert.ok(isAlive(pids.etcd) && isAlive(pids.apiserver));
    await cluster.stop();
    assert.equal(isAlive(pids.apiserver), false, "kube-apiserver still running");
    assert.equal(isAlive(pids.etcd), false, "etcd still running");
    assert.equal(existsSync(dir), false, `${dir} still exists`);
    await cluster.stop(); // idempotent
  });
});
