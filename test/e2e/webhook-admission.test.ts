/**
 * The webhook, run from the built project, behind a real kube-apiserver with deploy/overlays/e2e
 * applied: the API server calls it over TLS, applies its JSONPatch, validates and stores the result.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { AdmissionregistrationV1Api, CoreV1Api, ApiException } from "@kubernetes/client-node";
import type { TestCluster } from "./cluster/index.js";
import type { Pod } from "../../src/k8s/pod.js";
import { generateDevCerts } from "../../src/tls/dev-certs.js";
import { loadFixture } from "../support/fixtures.js";
import { createCaBundle, preparePodNamespace } from "./support/cluster-setup.js";
import { deployWebhook, startCiCluster } from "./support/environment.js";
import { createPodRaw, kubeRequest } from "./support/kube-http.js";
import { WEBHOOK_NAME } from "./support/manifests.js";
import {
  allContainers,
  assertCaInjected,
  assertContainersUntouched,
  assertDnsMerged,
  assertDockerAlias,
  assertNoCa,
  assertSentKept,
  hasCaMount,
  MUTATED_ANNOTATION,
} from "./support/pod-asserts.js";
import { CI_FIXTURES, createPod, expectRefused, fixturePod, namespaceOf, readPod } from "./support/pods.js";
import { waitFor } from "./support/poll.js";
import type { AuditLine, RunningWebhook } from "./support/webhook-process.js";

/** What `ci-pod-webhook.io/mutated` must say for each fixture (fixture README: GitLab already has the alias). */
const EXPECTED_ANNOTATION: Record<(typeof CI_FIXTURES)[number], string> = {
  "gitlab-attach-dind": "ca-trust,dns",
  "jenkins-agent-dind": "ca-trust,dns,docker-host-alias",
  "arc-ephemeral-runner-dind": "ca-trust,dns,docker-host-alias",
  "tekton-taskrun-dind": "ca-trust,dns,docker-host-alias",
};

describe("webhook behind a real kube-apiserver (deploy/overlays/e2e)", () => {
  let cluster: TestCluster;
  let webhook: RunningWebhook;

  before(async () => {
    cluster = await startCiCluster();
    webhook = await deployWebhook(cluster);
  });
  after(async () => {
    await webhook?.stop();
    await cluster?.stop();
  });

  /** The audit lines about one pod (namespace + name as the webhook names it). */
  const auditFor = (namespace: string, name: string) => webhook.audit().filter((l) => l.namespace === namespace && l.name === name);

  for (const fixture of CI_FIXTURES) {
    test(`${fixture}: created through client-node, stored mutated and valid`, async () => {
      const sent = loadFixture(fixture);
      const namespace = namespaceOf(sent);
      const name = sent.metadata!.name!;
      const created = await createPod(cluster, sent);
      assert.equal(created.metadata?.name, name);
      const stored = await readPod(cluster, namespace, name);

      assertCaInjected(sent, stored);
      assertDnsMerged(sent, stored);
      assertDockerAlias(sent, stored);
      assert.equal(stored.metadata?.annotations?.[MUTATED_ANNOTATION], EXPECTED_ANNOTATION[fixture]);
      assertContainersUntouched(sent, stored);

      const lines = await waitFor("the audit line", () => {
        const found = auditFor(namespace, name).filter((l) => !l.dryRun);
        return found.length > 0 ? found : undefined;
      });
      assert.deepEqual(lines.map((l) => l.decision), ["mutated"]);
    });
  }

  test("GitLab: the runner's own docker host alias is kept and not duplicated", async () => {
    const sent = loadFixture("gitlab-attach-dind");
    const stored = await readPod(cluster, namespaceOf(sent), sent.metadata!.name!);
    assert.deepEqual(stored.spec?.hostAliases, sent.spec?.hostAliases, "hostAliases exactly as the runner sent them");
  });

  test("ARC: the dind native sidecar gets the CA and keeps restartPolicy/startupProbe; the dangling ownerReference is accepted", async () => {
    const sent = loadFixture("arc-ephemeral-runner-dind");
    const stored = await readPod(cluster, namespaceOf(sent), sent.metadata!.name!);
    const dind = stored.spec?.initContainers?.find((c) => c.name === "dind");
    assert.ok(dind, "dind init container");
    assert.equal(dind.restartPolicy, "Always");
    assert.ok(hasCaMount(stored, "dind"), "dind sidecar has the CA mount");
    assertSentKept(sent.spec?.initContainers?.[1]?.startupProbe, dind.startupProbe, "dind.startupProbe");
    // No garbage collector runs; the API server stores the reference to an EphemeralRunner that does not exist.
    assert.deepEqual(stored.metadata?.ownerReferences, sent.metadata?.ownerReferences);
    const runner = stored.spec?.containers.find((c) => c.name === "runner");
    assert.deepEqual(runner?.env?.find((e) => e.name === "DOCKER_HOST"), { name: "DOCKER_HOST", value: "unix:///var/run/docker.sock" });
    assert.deepEqual(runner?.env?.find((e) => e.name === "ACTIONS_RUNNER_INPUT_JITCONFIG"), sent.spec?.containers[0]?.env?.[2]);
  });

  test("the /dev builds-dir pod (generateName, no name) is refused with the webhook's message", async () => {
    const sent = loadFixture("gitlab-builds-dir-dev");
    assert.equal(sent.metadata?.name, undefined);
    const { code, status } = await expectRefused(() => createPod(cluster, sent));
    assert.equal(code, 403);
    const message = status.message ?? "";
    assert.ok(message.startsWith(`admission webhook "${WEBHOOK_NAME}" denied the request: `), message);
    for (const part of ["BUILDS_DIR_SYSTEM_PATH", '"init-permissions"', '"repo"', '"/dev"', "builds_dir"]) {
      assert.ok(message.includes(part), `message carries ${part}: ${message}`);
    }
    const pods = await cluster.kubeConfig().makeApiClient(CoreV1Api).listNamespacedPod({ namespace: namespaceOf(sent) });
    assert.ok(!pods.items.some((p) => p.metadata?.generateName === sent.metadata?.generateName), "nothing stored");
    const isDenial = (l: AuditLine) => l.decision === "denied" && l.namespace === "gitlab-ci" && !l.dryRun;
    await waitFor("the denial's audit line", () => webhook.audit().some(isDenial)); // written asynchronously
    const denied = webhook.audit().filter(isDenial);
    assert.equal(denied.length, 1);
    assert.equal(denied[0]!.code, "BUILDS_DIR_SYSTEM_PATH");
  });

  test("a non-CI pod is stored exactly as sent and never reaches the webhook", async () => {
    const sent = loadFixture("plain-nginx");
    const created = await createPod(cluster, sent);
    const name = created.metadata!.name!;
    assert.ok(name.startsWith(sent.metadata!.generateName!));
    const stored = await readPod(cluster, namespaceOf(sent), name);
    assertSentKept(sent.spec, stored.spec, "spec", (path) => path === "spec.volumes" || path.endsWith(".volumeMounts")); // + the token volume
    assert.deepEqual(stored.metadata?.labels, sent.metadata?.labels);
    assert.deepEqual(stored.metadata?.ownerReferences, sent.metadata?.ownerReferences);
    assert.equal(stored.metadata?.annotations, undefined, "no annotations at all");
    assertNoCa(stored);
    assert.equal(stored.spec?.dnsConfig, undefined);
    assert.equal(stored.spec?.hostAliases, undefined);
    await createMarkerAndWaitForIt();
    assert.deepEqual(webhook.audit().filter((l) => l.namespace === "shop"), [], "the matchConditions keep it away from the webhook");
  });

  /** A CI pod whose audit line, once there, shows every earlier request has been written too. */
  async function createMarkerAndWaitForIt(): Promise<void> {
    const marker = fixturePod("jenkins-agent-dind", { name: `e2e-audit-marker-${Date.now()}` });
    await createPod(cluster, marker, { dryRun: true });
    await waitFor("the marker's audit line", () => auditFor(namespaceOf(marker), marker.metadata!.name!).length > 0);
  }

  test("a CI pod in kube-system (excluded namespace) never reaches the webhook", async () => {
    const sent = fixturePod("gitlab-attach-dind", { name: "e2e-excluded-namespace", namespace: "kube-system" });
    await preparePodNamespace(cluster, "kube-system", [sent]);
    await createPod(cluster, sent);
    const stored = await readPod(cluster, "kube-system", "e2e-excluded-namespace");
    assertNoCa(stored);
    assert.equal(stored.metadata?.annotations?.[MUTATED_ANNOTATION], undefined);
    assertContainersUntouched(sent, stored);
    await createMarkerAndWaitForIt();
    const lines = webhook.audit().filter((l) => l.namespace === "kube-system" || l.name === "e2e-excluded-namespace");
    assert.deepEqual(lines, [], "no audit line for the kube-system pod");
  });

  test("server-side dry run (dryRun=All) returns the mutated pod and stores nothing", async () => {
    const sent = fixturePod("tekton-taskrun-dind", { name: "e2e-dry-run-tekton" });
    const returned = await createPod(cluster, sent, { dryRun: true });
    assertCaInjected(sent, returned);
    assertDnsMerged(sent, returned);
    assertDockerAlias(sent, returned);
    assert.equal(returned.metadata?.annotations?.[MUTATED_ANNOTATION], "ca-trust,dns,docker-host-alias");
    assertContainersUntouched(sent, returned);
    const get = await kubeRequest(cluster, "GET", `/api/v1/namespaces/${namespaceOf(sent)}/pods/e2e-dry-run-tekton`);
    assert.equal(get.status, 404, "a dry run stores nothing");
    const lines = await waitFor("the audit line", () => {
      const found = auditFor(namespaceOf(sent), "e2e-dry-run-tekton");
      return found.length > 0 ? found : undefined;
    });
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.dryRun, true, "the webhook saw the request as a dry run");
  });

  test("CA presence: no ConfigMap means no CA mount and a warning; once it exists, the next pod gets it", async () => {
    const namespace = "e2e-ca-late";
    const first = fixturePod("jenkins-agent-dind", { name: "e2e-ca-late-1", namespace });
    await preparePodNamespace(cluster, namespace, [first]);

    const res = await createPodRaw<Pod>(cluster, namespace, first);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const warning = res.warnings.find((w) => w.includes("CA bundle not injected"));
    assert.ok(warning, `a CA warning among ${JSON.stringify(res.warnings)}`);
    assert.match(warning, /ci-ca-bundle/);
    assert.match(warning, new RegExp(namespace));
    const stored = await readPod(cluster, namespace, "e2e-ca-late-1");
    assertNoCa(stored);
    assertDnsMerged(first, stored); // the other mutations still apply
    assertDockerAlias(first, stored);
    assert.equal(stored.metadata?.annotations?.[MUTATED_ANNOTATION], "dns,docker-host-alias");

    await createCaBundle(cluster, namespace, cluster.caCertPem);
    await waitFor(
      "the webhook's informer to see the new ConfigMap (dry-run pod gets the CA mount)",
      async () => hasCaMount((await createPodRaw<Pod>(cluster, namespace, fixturePod("jenkins-agent-dind", { generateName: "e2e-ca-probe-", namespace }), { dryRun: true })).body),
      15_000,
      250,
    );
    const second = fixturePod("jenkins-agent-dind", { name: "e2e-ca-late-2", namespace });
    const res2 = await createPodRaw<Pod>(cluster, namespace, second);
    assert.equal(res2.status, 201, JSON.stringify(res2.body));
    assert.deepEqual(res2.warnings, []);
    const stored2 = await readPod(cluster, namespace, "e2e-ca-late-2");
    assertCaInjected(second, stored2);
    assert.equal(stored2.metadata?.annotations?.[MUTATED_ANNOTATION], "ca-trust,dns,docker-host-alias");
  });

  test("CA presence: after the ConfigMap is deleted, pods get no CA mount again (the informer saw the delete)", async () => {
    const namespace = "e2e-ca-late"; // from the test before
    await cluster.kubeConfig().makeApiClient(CoreV1Api).deleteNamespacedConfigMap({ namespace, name: "ci-ca-bundle" });
    const res = await waitFor(
      "the webhook's informer to see the deletion (dry-run pod without the CA mount)",
      async () => {
        const probe = await createPodRaw<Pod>(cluster, namespace, fixturePod("jenkins-agent-dind", { generateName: "e2e-ca-probe-", namespace }), { dryRun: true });
        return probe.status === 201 && !hasCaMount(probe.body) ? probe : undefined;
      },
      15_000,
      250,
    );
    assertNoCa(res.body);
    assert.ok(res.warnings.some((w) => w.includes("CA bundle not injected")), JSON.stringify(res.warnings));
  });

  test("AdmissionReview v1beta1 (the configuration's second version): the API server accepts the webhook's answer", async (t) => {
    // kube-public is excluded from the shipped configuration, so a pod there reaches the webhook only
    // through this one, which speaks v1beta1 only.
    const admission = cluster.kubeConfig().makeApiClient(AdmissionregistrationV1Api);
    const configName = "e2e-v1beta1-only";
    await admission.createMutatingWebhookConfiguration({
      body: {
        metadata: { name: configName },
        webhooks: [
          {
            name: "v1beta1.e2e.ci-pod-webhook.io",
            admissionReviewVersions: ["v1beta1"],
            sideEffects: "None",
            failurePolicy: "Fail",
            timeoutSeconds: 5,
            rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }],
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-public" } },
            clientConfig: { url: `https://127.0.0.1:${webhook.port}/mutate`, caBundle: Buffer.from(webhook.caPem).toString("base64") },
          },
        ],
      },
    });
    t.after(() => admission.deleteMutatingWebhookConfiguration({ name: configName }));
    const sent = fixturePod("jenkins-agent-dind", { namespace: "kube-public" });
    await preparePodNamespace(cluster, "kube-public", [sent]);
    await createCaBundle(cluster, "kube-public", cluster.caCertPem);
    await waitFor("the v1beta1 configuration to take effect", async () => {
      const probe = fixturePod("jenkins-agent-dind", { generateName: "e2e-v1beta1-probe-", namespace: "kube-public" });
      const res = await createPodRaw<Pod>(cluster, "kube-public", probe, { dryRun: true });
      return res.status === 201 && res.body.metadata?.annotations?.[MUTATED_ANNOTATION] !== undefined;
    });
    await createPod(cluster, sent);
    const stored = await readPod(cluster, "kube-public", sent.metadata!.name!);
    assertCaInjected(sent, stored);
    assertDnsMerged(sent, stored);
    assertDockerAlias(sent, stored);
    assert.equal(stored.metadata?.annotations?.[MUTATED_ANNOTATION], "ca-trust,dns,docker-host-alias");
  });

  test("reinvocation: a later webhook adds a container, ours runs again and that container gets the CA too", async (t) => {
    const injector = await startSidecarInjector();
    t.after(() => injector.close());
    const admission = cluster.kubeConfig().makeApiClient(AdmissionregistrationV1Api);
    // Mutating webhooks run in the order of their configurations' names: zz-... after ci-pod-webhook.
    const configName = "zz-e2e-sidecar-injector";
    await admission.createMutatingWebhookConfiguration({
      body: {
        metadata: { name: configName },
        webhooks: [
          {
            name: "sidecar.e2e.ci-pod-webhook.io",
            admissionReviewVersions: ["v1"],
            sideEffects: "None",
            failurePolicy: "Fail",
            reinvocationPolicy: "Never",
            timeoutSeconds: 5,
            rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }],
            objectSelector: { matchLabels: { [INJECT_LABEL]: "true" } },
            clientConfig: { url: `https://127.0.0.1:${injector.port}/inject`, caBundle: Buffer.from(injector.caPem).toString("base64") },
          },
        ],
      },
    });
    t.after(async () => {
      await admission.deleteMutatingWebhookConfiguration({ name: configName }).catch((err: unknown) => {
        if (!(err instanceof ApiException && err.code === 404)) throw err;
      });
    });
    const namespace = "gitlab-ci";
    await waitFor("the sidecar injector to take effect", async () => {
      const probe = fixturePod("gitlab-attach-dind", { generateName: "e2e-reinvoke-probe-", labels: { [INJECT_LABEL]: "true" } });
      const res = await createPodRaw<Pod>(cluster, namespace, probe, { dryRun: true });
      return res.status === 201 && res.body.spec?.containers.some((c) => c.name === SIDECAR_NAME);
    });
    injector.reviews.length = 0;

    const sent = fixturePod("gitlab-attach-dind", { name: "e2e-reinvoked", labels: { [INJECT_LABEL]: "true" } });
    await createPod(cluster, sent);
    const stored = await readPod(cluster, namespace, "e2e-reinvoked");

    assertCaInjected(sent, stored, [SIDECAR_NAME]);
    const sidecar = stored.spec!.containers.find((c) => c.name === SIDECAR_NAME)!;
    assert.deepEqual(sidecar.command, ["sleep", "infinity"]);
    assert.equal(stored.metadata?.annotations?.[MUTATED_ANNOTATION], "ca-trust,dns", "annotation unchanged by the second round");
    assertDnsMerged(sent, stored);
    assertDockerAlias(sent, stored);

    // Ours, the injector (once: Never), ours again.
    assert.equal(injector.reviews.length, 1);
    assert.ok(hasCaMount(injector.reviews[0]!), "the injector ran after ours (it saw the CA mount)");
    const ours = await waitFor("two audit lines", () => {
      const found = auditFor(namespace, "e2e-reinvoked");
      return found.length >= 2 ? found : undefined;
    });
    assert.deepEqual(ours.map((l) => l.decision), ["mutated", "mutated"], "called twice: first pass, then reinvoked for the new container");
    assert.ok(allContainers(stored).every((c) => hasCaMount({ spec: { containers: [c] } } as Pod)));
  });
});

const INJECT_LABEL = "e2e.ci-pod-webhook.io/inject-sidecar";
const SIDECAR_NAME = "e2e-injected";

/** A minimal mutating webhook that appends one container (a service-mesh or secret-injector stand-in). */
async function startSidecarInjector(): Promise<{ port: number; caPem: string; reviews: Pod[]; close(): Promise<void> }> {
  const certs = await generateDevCerts(["localhost"], ["127.0.0.1"]);
  const reviews: Pod[] = [];
  const server = https.createServer({ cert: certs.cert, key: certs.key }, (req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c: string) => (body += c));
    req.on("end", () => {
      const review = JSON.parse(body) as { request: { uid: string; object: Pod } };
      reviews.push(review.request.object);
      const has = review.request.object.spec?.containers.some((c) => c.name === SIDECAR_NAME);
      const patch = has ? [] : [{ op: "add", path: "/spec/containers/-", value: { name: SIDECAR_NAME, image: "busybox:1.36", command: ["sleep", "infinity"] } }];
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          apiVersion: "admission.k8s.io/v1",
          kind: "AdmissionReview",
          response: { uid: review.request.uid, allowed: true, patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(patch)).toString("base64") },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    caPem: certs.caCert,
    reviews,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}


