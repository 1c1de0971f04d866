/** The common start of the webhook e2e files: a cluster with the fixtures' namespaces and the overlay applied. */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { startCluster, type TestCluster } from "../cluster/index.js";
import { freePorts } from "../cluster/ports.js";
import type { Pod } from "../../../src/k8s/pod.js";
import { loadFixture, SHARED_FIXTURES, type SharedFixture } from "../../support/fixtures.js";
import { ensureBuilt } from "./build.js";
import { defaultDnsNames, ensureDevCerts } from "../../../src/tls/dev-certs.js";
import { createCaBundle, preparePodNamespace, serviceAccountKubeconfig } from "./cluster-setup.js";
import { createPodRaw } from "./kube-http.js";
import { applyServerSide, requireKubectl } from "./kubectl.js";
import { POLICY_NAME, renderE2eOverlay, type E2eRenderOptions } from "./manifests.js";
import { MUTATED_ANNOTATION } from "./pod-asserts.js";
import { fixturePod, namespaceOf } from "./pods.js";
import { waitFor } from "./poll.js";
import { startWebhook, type RunningWebhook } from "./webhook-process.js";

/**
 * Builds the webhook if needed and starts a cluster (in parallel); creates every fixture's namespace with
 * its ServiceAccounts and, when `caBundlePem` is given, the CA bundle ConfigMap.
 */
export async function startCiCluster(opts: { caBundlePem?: boolean } = {}): Promise<TestCluster> {
  await requireKubectl();
  const [cluster] = await Promise.all([startCluster(), ensureBuilt()]);
  try {
    const byNamespace = new Map<string, Pod[]>();
    for (const name of SHARED_FIXTURES) {
      const pod = loadFixture(name);
      byNamespace.set(namespaceOf(pod), [...(byNamespace.get(namespaceOf(pod)) ?? []), pod]);
    }
    for (const [namespace, pods] of byNamespace) {
      await preparePodNamespace(cluster, namespace, pods);
      if (opts.caBundlePem !== false) await createCaBundle(cluster, namespace, cluster.caCertPem);
    }
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

/** Renders and applies deploy/overlays/e2e (server-side apply, strict field validation). */
export async function applyE2eOverlay(cluster: TestCluster, opts: E2eRenderOptions): Promise<string> {
  const manifests = await renderE2eOverlay(opts);
  await applyServerSide(cluster, manifests, { forceConflicts: true });
  return manifests;
}

/** A dry-run create of a fixture (generateName, so it never collides): the raw response. */
export function dryRunFixture(cluster: TestCluster, fixture: SharedFixture, opts: { namespace?: string; labels?: Record<string, string> } = {}) {
  const pod = fixturePod(fixture, { generateName: "e2e-probe-", ...opts });
  return createPodRaw<Pod & { message?: string }>(cluster, namespaceOf(pod), pod, { dryRun: true });
}

/**
 * The API server's admission informers pick up webhook configurations and policies asynchronously:
 * waits until a dry-run CI pod comes back mutated.
 */
export async function waitForWebhookInEffect(cluster: TestCluster): Promise<void> {
  await waitFor("the MutatingWebhookConfiguration to take effect (dry-run GitLab pod mutated)", async () => {
    const res = await dryRunFixture(cluster, "gitlab-attach-dind");
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.metadata?.annotations?.[MUTATED_ANNOTATION] !== undefined;
  });
}

/** The prefix the API server puts before the policy's message. */
export const POLICY_DENIAL_PREFIX = `ValidatingAdmissionPolicy '${POLICY_NAME}' with binding '${POLICY_NAME}' denied request: `;

/**
 * Waits until the builds-dir ValidatingAdmissionPolicy refuses a dry-run of the /dev fixture. Only
 * meaningful while the webhook does not answer (else it refuses first). The API server reloads policies
 * on a timer, a few seconds after they change.
 */
export async function waitForPolicyInEffect(cluster: TestCluster): Promise<void> {
  await waitFor("the ValidatingAdmissionPolicy to take effect (dry-run /dev pod refused by it)", async () => {
    const res = await dryRunFixture(cluster, "gitlab-builds-dir-dev");
    return res.status === 403 && (res.body.message ?? "").includes(POLICY_DENIAL_PREFIX);
  });
}

/**
 * Runs `start` with a port that was free a moment ago (for a webhook whose URL must be in the cluster
 * before it starts); picks another port and runs it again if the port was taken in between.
 */
export async function withFreePort<T>(start: (port: number) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const [port] = (await freePorts(1)) as [number];
    try {
      return await start(port);
    } catch (err) {
      if (attempt >= attempts || !/EADDRINUSE/.test(String(err))) throw err;
    }
  }
}

/** The namespace and ServiceAccount deploy/base runs the webhook as. */
export const WEBHOOK_SERVICE_ACCOUNT = { namespace: "ci-pod-webhook", name: "ci-pod-webhook" };

/**
 * deploy/overlays/e2e applied, then the webhook started, authenticated as the overlay's ServiceAccount
 * (so with exactly the RBAC deploy/base grants). The overlay names the webhook's port and CA before the
 * webhook runs: the certificates are made first, with the call the webhook itself makes (it reuses
 * them), in the cluster's temp dir, and the port is chosen free. `beforeStart` runs between the apply
 * and the start, while calls to the webhook still fail.
 */
export async function deployWebhook(cluster: TestCluster, opts: { beforeStart?: () => Promise<void> } = {}): Promise<RunningWebhook> {
  const certsDir = path.join(cluster.dir, "webhook-certs");
  await ensureDevCerts({ dir: certsDir, dnsNames: defaultDnsNames("ci-pod-webhook", "ci-pod-webhook") });
  const caPem = await readFile(path.join(certsDir, "ca.crt"), "utf8");
  const webhook = await withFreePort(async (port) => {
    await applyE2eOverlay(cluster, { port, caPem });
    await opts.beforeStart?.();
    const kubeconfigPath = await serviceAccountKubeconfig(cluster, WEBHOOK_SERVICE_ACCOUNT.namespace, WEBHOOK_SERVICE_ACCOUNT.name);
    return startWebhook({ cluster, port, certsDir, kubeconfigPath });
  });
  assert.equal(webhook.caPem, caPem, "the webhook reused the certificates the overlay names");
  await waitForWebhookInEffect(cluster);
  return webhook;
}
