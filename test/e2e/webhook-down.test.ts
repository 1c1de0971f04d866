/**
 * What the shipped configuration does when the webhook is not there: failurePolicy Ignore in base, the
 * builds-dir ValidatingAdmissionPolicy inside the API server, and failurePolicy Fail with the
 * fail-closed component. Also: the webhook's and the policy's denial texts are the same.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { AdmissionregistrationV1Api } from "@kubernetes/client-node";
import type { TestCluster } from "./cluster/index.js";
import type { Pod } from "../../src/k8s/pod.js";
import { loadFixture } from "../support/fixtures.js";
import { preparePodNamespace } from "./support/cluster-setup.js";
import {
  applyE2eOverlay,
  deployWebhook,
  dryRunFixture,
  POLICY_DENIAL_PREFIX,
  startCiCluster,
  waitForPolicyInEffect,
} from "./support/environment.js";
import { createPodRaw } from "./support/kube-http.js";
import { POLICY_NAME, WEBHOOK_CONFIG_NAME, WEBHOOK_NAME } from "./support/manifests.js";
import { assertContainersUntouched, assertNoCa, MUTATED_ANNOTATION } from "./support/pod-asserts.js";
import { createPod, expectRefused, fixturePod, namespaceOf, readPod } from "./support/pods.js";
import { waitFor } from "./support/poll.js";
import type { RunningWebhook } from "./support/webhook-process.js";

const WEBHOOK_PREFIX = `admission webhook "${WEBHOOK_NAME}" denied the request: `;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("webhook down: failurePolicy and the builds-dir ValidatingAdmissionPolicy", () => {
  let cluster: TestCluster;
  let webhook: RunningWebhook;
  let port: number;
  let caPem: string;
  let webhookDenial: string;

  before(async () => {
    cluster = await startCiCluster();
    // The policy can only be seen taking effect while the webhook does not answer (else the webhook
    // refuses the /dev pod first): wait for it between the apply and the webhook's start.
    webhook = await deployWebhook(cluster, { beforeStart: () => waitForPolicyInEffect(cluster) });
    port = webhook.port;
    caPem = webhook.caPem;
  });
  after(async () => {
    await webhook?.stop();
    await cluster?.stop();
  });

  /** Creates the /dev fixture (must be refused) and returns the message the client gets. */
  async function devPodMessage(): Promise<string> {
    const { code, status } = await expectRefused(() => createPod(cluster, loadFixture("gitlab-builds-dir-dev")));
    assert.equal(code, 403, JSON.stringify(status));
    return status.message ?? "";
  }

  test("webhook up: the /dev pod is refused by the webhook", async (t) => {
    webhookDenial = await devPodMessage();
    t.diagnostic(webhookDenial);
    assert.ok(webhookDenial.startsWith(WEBHOOK_PREFIX), webhookDenial);
    // The audit log is written asynchronously: wait for the line, then check there is exactly one.
    await waitFor("the webhook's audit line", () => webhook.audit().some((l) => l.decision === "denied"));
    assert.equal(webhook.audit().filter((l) => l.decision === "denied").length, 1, "the webhook, not the policy, refused it");
  });

  test("webhook stopped, failurePolicy Ignore (base): a CI pod is created unmutated", async () => {
    await webhook.stop();
    const sent = fixturePod("jenkins-agent-dind", { name: "e2e-webhook-down" });
    await createPod(cluster, sent);
    const stored = await readPod(cluster, namespaceOf(sent), "e2e-webhook-down");
    assertNoCa(stored);
    assert.equal(stored.metadata?.annotations?.[MUTATED_ANNOTATION], undefined);
    assert.equal(stored.spec?.dnsConfig, undefined);
    assert.equal(stored.spec?.hostAliases, undefined);
    assertContainersUntouched(sent, stored);
  });

  test("webhook stopped: the ValidatingAdmissionPolicy still refuses the /dev pod, with the same text as the webhook", async (t) => {
    const message = await devPodMessage();
    t.diagnostic(message);
    // `pods "<generated name>" is forbidden: ValidatingAdmissionPolicy '...' with binding '...' denied request: `
    const generateName = loadFixture("gitlab-builds-dir-dev").metadata!.generateName!;
    const prefix = new RegExp(`^pods "${escapeRegExp(generateName)}[a-z0-9]{5}" is forbidden: ${escapeRegExp(POLICY_DENIAL_PREFIX)}`);
    assert.match(message, prefix);
    for (const part of ["BUILDS_DIR_SYSTEM_PATH", "builds_dir"]) assert.ok(message.includes(part), `${part} in ${message}`);
    assert.ok(webhookDenial, "the webhook-up test ran first");
    // Each path adds its own prefix; the text after it is the same, word for word.
    assert.equal(message.replace(prefix, ""), webhookDenial.slice(WEBHOOK_PREFIX.length));
  });

  test("the policy also covers the /dev pod in dry run, and leaves a fine CI pod alone", async () => {
    const denied = await dryRunFixture(cluster, "gitlab-builds-dir-dev");
    assert.equal(denied.status, 403);
    assert.ok(denied.body.message?.includes(`is forbidden: ${POLICY_DENIAL_PREFIX}BUILDS_DIR_SYSTEM_PATH: `), denied.body.message);
    const fine = await dryRunFixture(cluster, "gitlab-attach-dind");
    assert.equal(fine.status, 201, JSON.stringify(fine.body));
  });

  test("fail-closed component (failurePolicy Fail): a CI pod is refused while the webhook is down, a non-CI pod admitted", async (t) => {
    await applyE2eOverlay(cluster, { port, caPem, components: ["components/fail-closed"] });
    const admission = cluster.kubeConfig().makeApiClient(AdmissionregistrationV1Api);
    const config = await admission.readMutatingWebhookConfiguration({ name: WEBHOOK_CONFIG_NAME });
    assert.equal(config.webhooks?.[0]?.failurePolicy, "Fail");
    const policy = await admission.readValidatingAdmissionPolicy({ name: POLICY_NAME });
    assert.equal(policy.spec?.failurePolicy, "Fail");

    const refusal = await waitFor("failurePolicy Fail to take effect (dry-run CI pod refused)", async () => {
      const res = await dryRunFixture(cluster, "tekton-taskrun-dind");
      return res.status !== 201 ? res : undefined;
    });
    t.diagnostic(refusal.body.message ?? "");
    assert.equal(refusal.status, 500);
    assert.match(refusal.body.message ?? "", new RegExp(`failed calling webhook "${WEBHOOK_NAME.replaceAll(".", "\\.")}"`));

    const ci = fixturePod("tekton-taskrun-dind", { name: "e2e-fail-closed-ci" });
    const res = await createPodRaw<Pod & { message?: string }>(cluster, namespaceOf(ci), ci);
    assert.equal(res.status, 500, "CI pod refused");
    assert.match(res.body.message ?? "", /failed calling webhook/);

    const nginx = loadFixture("plain-nginx");
    const created = await createPod(cluster, nginx);
    assert.ok(created.metadata?.name?.startsWith("web-7c5b8d9f6d-"), "non-CI pod admitted");

    // Excluded namespaces are never called, so they do not depend on the webhook either.
    const system = fixturePod("tekton-taskrun-dind", { name: "e2e-fail-closed-kube-system", namespace: "kube-system" });
    await preparePodNamespace(cluster, "kube-system", [system]);
    await createPod(cluster, system);

    // The /dev pod is refused too: mutating webhooks run before validating policies, so by the failed call.
    const dev = await dryRunFixture(cluster, "gitlab-builds-dir-dev");
    assert.equal(dev.status, 500);
    assert.match(dev.body.message ?? "", /failed calling webhook/);
  });
});
