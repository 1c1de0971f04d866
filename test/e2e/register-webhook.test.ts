/**
 * `serve --register-webhook ci-pod-webhook` (overlays/self-signed): the webhook generates its own CA and
 * writes it into the real MutatingWebhookConfiguration's caBundle; until then calls fail (and, with
 * Ignore, CI pods go through unmutated); afterwards they succeed.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { AdmissionregistrationV1Api } from "@kubernetes/client-node";
import type { TestCluster } from "./cluster/index.js";
import { freePorts } from "./cluster/ports.js";
import { loadFixture } from "../support/fixtures.js";
import { serviceAccountKubeconfig } from "./support/cluster-setup.js";
import { applyE2eOverlay, dryRunFixture, startCiCluster, waitForWebhookInEffect, WEBHOOK_SERVICE_ACCOUNT } from "./support/environment.js";
import { applyServerSide } from "./support/kubectl.js";
import { DEPLOY_DIR, WEBHOOK_CONFIG_NAME } from "./support/manifests.js";
import { assertCaInjected, assertDnsMerged, assertDockerAlias, assertNoCa, MUTATED_ANNOTATION } from "./support/pod-asserts.js";
import { createPod, fixturePod, namespaceOf, readPod } from "./support/pods.js";
import { waitFor } from "./support/poll.js";
import { startWebhook, type RunningWebhook } from "./support/webhook-process.js";

describe("--register-webhook against the real MutatingWebhookConfiguration (as the webhook's ServiceAccount)", () => {
  let cluster: TestCluster;
  let webhook: RunningWebhook | undefined;
  let port: number;
  /** The webhook runs as deploy/'s ServiceAccount, with base's and overlays/self-signed's RBAC. */
  let kubeconfigPath: string;

  const admission = () => cluster.kubeConfig().makeApiClient(AdmissionregistrationV1Api);

  before(async () => {
    cluster = await startCiCluster();
  });
  after(async () => {
    await webhook?.stop();
    await cluster?.stop();
  });

  test("before the configuration exists, --register-webhook refuses to start and says why (404)", async () => {
    const err = await startWebhook({ cluster, registerWebhook: WEBHOOK_CONFIG_NAME }).then(
      async (w) => {
        await w.stop();
        return undefined;
      },
      (e: unknown) => e as Error,
    );
    assert.ok(err, "the webhook must not start");
    assert.match(err.message, /exited early \(code 2/);
    assert.match(err.message, /--register-webhook: cannot read MutatingWebhookConfiguration ci-pod-webhook: HTTP 404: .*not found; it must exist/);
    assert.doesNotMatch(err.message, /Unknown API Status Code/);
  });

  test("the e2e overlay without its caBundle line: no caBundle, calls fail, CI pods go through unmutated (Ignore)", async () => {
    // The URL names the port before the webhook starts (it reads the configuration at start).
    port = (await freePorts(1))[0]!;
    await applyE2eOverlay(cluster, { port }); // caPem omitted: the caBundle line is deleted
    const config = await admission().readMutatingWebhookConfiguration({ name: WEBHOOK_CONFIG_NAME });
    assert.equal(config.webhooks?.length, 1);
    assert.equal(config.webhooks?.[0]?.clientConfig.caBundle, undefined);
    assert.equal(config.webhooks?.[0]?.clientConfig.url, `https://127.0.0.1:${port}/mutate`);

    const res = await dryRunFixture(cluster, "jenkins-agent-dind");
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assertNoCa(res.body);
    assert.equal(res.body.metadata?.annotations?.[MUTATED_ANNOTATION], undefined);
  });

  test("as the ServiceAccount with base's RBAC only, --register-webhook refuses to start and names the missing RBAC (403)", async () => {
    kubeconfigPath = await serviceAccountKubeconfig(cluster, WEBHOOK_SERVICE_ACCOUNT.namespace, WEBHOOK_SERVICE_ACCOUNT.name);
    const err = await startWebhook({ cluster, registerWebhook: WEBHOOK_CONFIG_NAME, kubeconfigPath }).then(
      async (w) => {
        await w.stop();
        return undefined;
      },
      (e: unknown) => e as Error,
    );
    assert.ok(err, "the webhook must not start without the register RBAC");
    assert.match(err.message, /--register-webhook: cannot read MutatingWebhookConfiguration ci-pod-webhook: HTTP 403: .*forbidden.*rbac-register\.yaml/);
    // overlays/self-signed's extra RBAC: get/patch on this one configuration.
    await applyServerSide(cluster, readFileSync(path.join(DEPLOY_DIR, "overlays/self-signed/rbac-register.yaml"), "utf8"));
  });

  test("the webhook writes its CA into the caBundle at start", async () => {
    for (let attempt = 1; !webhook; attempt++) {
      try {
        webhook = await startWebhook({ cluster, port, registerWebhook: WEBHOOK_CONFIG_NAME, kubeconfigPath });
      } catch (err) {
        // The port was taken since it was chosen: point the configuration at another one.
        if (attempt >= 3 || !/EADDRINUSE/.test(String(err))) throw err;
        port = (await freePorts(1))[0]!;
        await applyE2eOverlay(cluster, { port });
      }
    }
    const caFile = readFileSync(path.join(webhook.certsDir, "ca.crt"), "utf8");
    const config = await admission().readMutatingWebhookConfiguration({ name: WEBHOOK_CONFIG_NAME });
    const caBundle = config.webhooks?.[0]?.clientConfig.caBundle;
    assert.equal(caBundle, Buffer.from(caFile).toString("base64"), "caBundle is base64 of certs-dir/ca.crt");
    const line = webhook.logLines().find((l) => l.msg === "caBundle registered");
    assert.ok(line, "the webhook logged the registration");
    assert.equal(line.patchedWebhooks, 1);
    // Only the caBundle changed: the rules, selectors and matchConditions are the shipped ones.
    assert.equal(config.webhooks?.[0]?.clientConfig.url, `https://127.0.0.1:${port}/mutate`);
    assert.ok((config.webhooks?.[0]?.matchConditions ?? []).length > 0);
  });

  test("calls then succeed: a CI pod is created mutated", async () => {
    await waitForWebhookInEffect(cluster);
    const sent = loadFixture("jenkins-agent-dind");
    await createPod(cluster, sent);
    const stored = await readPod(cluster, namespaceOf(sent), sent.metadata!.name!);
    assertCaInjected(sent, stored);
    assertDnsMerged(sent, stored);
    assertDockerAlias(sent, stored);
    assert.equal(stored.metadata?.annotations?.[MUTATED_ANNOTATION], "ca-trust,dns,docker-host-alias");
  });

  test("a restart with the same certs dir finds the caBundle current and patches nothing", async () => {
    const certsDir = webhook!.certsDir;
    // Stop the process only: its temp dir, which holds the certs dir, is removed by stop() in `after`.
    await webhook!.process.stop();
    const config = await admission().readMutatingWebhookConfiguration({ name: WEBHOOK_CONFIG_NAME });
    const before = config.metadata?.resourceVersion;
    const again = await startWebhook({ cluster, port, registerWebhook: WEBHOOK_CONFIG_NAME, certsDir, kubeconfigPath });
    try {
      const line = await waitFor("the registration log line", () => again.logLines().find((l) => l.msg === "caBundle registered"));
      assert.equal(line.patchedWebhooks, 0);
      const after = await admission().readMutatingWebhookConfiguration({ name: WEBHOOK_CONFIG_NAME });
      assert.equal(after.metadata?.resourceVersion, before, "no write when the caBundle is already ours");
      const pod = fixturePod("arc-ephemeral-runner-dind", { name: "e2e-after-restart" });
      await createPod(cluster, pod);
      assertCaInjected(pod, await readPod(cluster, namespaceOf(pod), "e2e-after-restart"));
    } finally {
      await again.stop();
    }
  });
});
