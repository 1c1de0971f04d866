/**
 * deploy/ against a real kube-apiserver: every object of the rendered base and of the overlays that need
 * no CRDs is accepted by server-side apply with strict field validation (unknown or duplicated fields,
 * bad CEL, bad selectors and invalid values are errors). The cert-manager overlays need cert-manager's
 * CRDs: everything else in them is checked with a server-side dry run.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { AdmissionregistrationV1Api, AppsV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { startCluster, type TestCluster } from "./cluster/index.js";
import { applyServerSide, kubectl, kubectlName, kubectlOk, kustomize, parseManifests, requireKubectl, type ManifestObject } from "./support/kubectl.js";
import { DEPLOY_DIR, kustomizeComposed, POLICY_NAME, WEBHOOK_CONFIG_NAME } from "./support/manifests.js";
import path from "node:path";

/** The objects `kubectl apply` reports, e.g. `deployment.apps/ci-pod-webhook serverside-applied`. */
function appliedNames(stdout: string): string[] {
  return stdout.trim().split("\n").filter(Boolean).map((line) => line.split(" ")[0]!);
}

/** `kubectl apply` output lines that are not "serverside-applied" or "unchanged" (with --dry-run: "(server dry run)"). */
function unexpectedApplyLines(stdout: string): string[] {
  return stdout.trim().split("\n").filter((l) => l && !/ serverside-applied( \(server dry run\))?$/.test(l) && !/ unchanged$/.test(l));
}

const isCertManager = (o: ManifestObject) => o.apiVersion.startsWith("cert-manager.io/");

function toYaml(objects: ManifestObject[]): string {
  return objects.map((o) => JSON.stringify(o)).join("\n---\n");
}

describe("deploy/ manifests against a real kube-apiserver", () => {
  let cluster: TestCluster;

  before(async () => {
    await requireKubectl();
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  /** Applies (server-side, strict) and checks each rendered object was applied and can be read back. */
  async function applyAll(rendered: string, opts: { dryRun?: boolean } = {}): Promise<{ objects: ManifestObject[]; stderr: string }> {
    const objects = parseManifests(rendered);
    assert.ok(objects.length > 0);
    const { stdout, stderr } = await applyServerSide(cluster, rendered, opts);
    assert.deepEqual(unexpectedApplyLines(stdout), []);
    assert.deepEqual(appliedNames(stdout).sort(), objects.map(kubectlName).sort(), "kubectl applied every rendered object");
    if (!opts.dryRun) {
      const { stdout: got } = await kubectlOk(["get", "-f", "-", "-o", "name"], { cluster, input: rendered });
      assert.deepEqual(got.trim().split("\n").sort(), objects.map(kubectlName).sort(), "every object can be read back");
    }
    return { objects, stderr };
  }

  test("base: every object is accepted by server-side apply with strict field validation", async (t) => {
    const { objects, stderr } = await applyAll(await kustomize(path.join(DEPLOY_DIR, "base")));
    if (stderr.trim()) t.diagnostic(`kubectl stderr: ${stderr.trim()}`);
    assert.doesNotMatch(stderr, /Warning:/, "no warnings (Pod Security, deprecated APIs, unknown fields)");
    const kinds = objects.map((o) => o.kind).sort();
    for (const kind of ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "PodDisruptionBudget", "Service", "NetworkPolicy", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]) {
      assert.ok(kinds.includes(kind), `base has a ${kind}`);
    }

    // What the API server stored is what the issue asks for.
    const admission = cluster.kubeConfig().makeApiClient(AdmissionregistrationV1Api);
    const mwc = await admission.readMutatingWebhookConfiguration({ name: WEBHOOK_CONFIG_NAME });
    const webhook = mwc.webhooks![0]!;
    assert.equal(webhook.failurePolicy, "Ignore");
    assert.equal(webhook.sideEffects, "None");
    assert.equal(webhook.reinvocationPolicy, "IfNeeded");
    assert.deepEqual(webhook.admissionReviewVersions, ["v1", "v1beta1"]);
    assert.ok(webhook.timeoutSeconds! <= 5, `short timeout, got ${webhook.timeoutSeconds}`);
    assert.deepEqual(webhook.rules?.map((r) => [r.operations, r.resources]), [[["CREATE"], ["pods"]]]);
    assert.deepEqual(webhook.namespaceSelector?.matchExpressions?.[0]?.values?.slice().sort(), ["ci-pod-webhook", "kube-node-lease", "kube-public", "kube-system"]);
    assert.ok((webhook.matchConditions ?? []).length > 0, "matchConditions (compiled by the API server on create)");
    const vap = await admission.readValidatingAdmissionPolicy({ name: POLICY_NAME });
    assert.equal(vap.spec?.failurePolicy, "Ignore");
    // (status.typeChecking is filled in by kube-controller-manager, which this cluster does not run: the
    // CEL is compiled on create, and webhook-down.test.ts shows the policy evaluating.)

    const deployment = await cluster.kubeConfig().makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: "ci-pod-webhook", name: "ci-pod-webhook" });
    assert.equal(deployment.spec?.replicas, 2);
    const container = deployment.spec?.template.spec?.containers[0];
    assert.equal(container?.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(container?.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(container?.securityContext?.capabilities?.drop, ["ALL"]);
  });

  test("overlays/self-signed: accepted on top of base; one replica, Recreate; the ServiceAccount's RBAC is least privilege", async (t) => {
    const { stderr } = await applyAll(await kustomize(path.join(DEPLOY_DIR, "overlays/self-signed")));
    if (stderr.trim()) t.diagnostic(`kubectl stderr: ${stderr.trim()}`);
    assert.doesNotMatch(stderr, /Warning:/);
    const deployment = await cluster.kubeConfig().makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: "ci-pod-webhook", name: "ci-pod-webhook" });
    assert.equal(deployment.spec?.replicas, 1);
    assert.equal(deployment.spec?.strategy?.type, "Recreate");
    const rbac = cluster.kubeConfig().makeApiClient(RbacAuthorizationV1Api);
    const role = await rbac.readClusterRole({ name: "ci-pod-webhook-register" });
    assert.deepEqual(role.rules?.flatMap((r) => r.resourceNames ?? []), [WEBHOOK_CONFIG_NAME]);
    assert.deepEqual(role.rules?.flatMap((r) => r.verbs).sort(), ["get", "patch"]);

    // What the webhook's ServiceAccount may do, as the API server's authorizer answers it.
    const can = async (...args: string[]) => {
      const res = await kubectl(["auth", "can-i", ...args, "--as", "system:serviceaccount:ci-pod-webhook:ci-pod-webhook"], { cluster });
      return res.stdout.trim();
    };
    assert.equal(await can("list", "configmaps", "--all-namespaces"), "yes");
    assert.equal(await can("watch", "configmaps", "--all-namespaces"), "yes");
    assert.equal(await can("get", "mutatingwebhookconfigurations/ci-pod-webhook"), "yes");
    assert.equal(await can("patch", "mutatingwebhookconfigurations/ci-pod-webhook"), "yes");
    for (const denied of [
      ["get", "configmaps", "-n", "gitlab-ci"],
      ["create", "configmaps", "-n", "gitlab-ci"],
      ["get", "secrets", "--all-namespaces"],
      ["patch", "mutatingwebhookconfigurations/another-webhook"],
      ["list", "mutatingwebhookconfigurations"],
      ["delete", "mutatingwebhookconfigurations/ci-pod-webhook"],
      ["patch", "validatingadmissionpolicies/ci-pod-webhook-builds-dir"],
      ["create", "pods", "-n", "ci-pod-webhook"],
    ]) {
      assert.equal(await can(...denied), "no", `the ServiceAccount may not ${denied.join(" ")}`);
    }
  });

  test("self-signed + components/fail-closed (the composition deploy/README.md shows): accepted, failurePolicy Fail", async () => {
    await applyAll(await kustomizeComposed(["overlays/self-signed"], ["components/fail-closed"]));
    const admission = cluster.kubeConfig().makeApiClient(AdmissionregistrationV1Api);
    const mwc = await admission.readMutatingWebhookConfiguration({ name: WEBHOOK_CONFIG_NAME });
    assert.equal(mwc.webhooks?.[0]?.failurePolicy, "Fail");
    const vap = await admission.readValidatingAdmissionPolicy({ name: POLICY_NAME });
    assert.equal(vap.spec?.failurePolicy, "Fail");
  });

  for (const dir of ["overlays/cert-manager", "overlays/fail-closed", "."]) {
    test(`${dir === "." ? "deploy/ (the default install)" : dir}: renders; everything but cert-manager's kinds passes a server-side dry run`, async () => {
      const objects = parseManifests(await kustomize(path.join(DEPLOY_DIR, dir)));
      const certManager = objects.filter(isCertManager);
      assert.deepEqual([...new Set(certManager.map((o) => o.kind))].sort(), ["Certificate", "Issuer"]);
      await applyAll(toYaml(objects.filter((o) => !isCertManager(o))), { dryRun: true });
      const mwc = objects.find((o) => o.kind === "MutatingWebhookConfiguration")!;
      const annotations = (mwc.metadata.annotations ?? {}) as Record<string, string>;
      assert.equal(annotations["cert-manager.io/inject-ca-from"], "ci-pod-webhook/ci-pod-webhook-serving");
      // The annotation names a Certificate the overlay ships.
      assert.ok(certManager.some((o) => o.kind === "Certificate" && o.metadata.name === "ci-pod-webhook-serving" && o.metadata.namespace === "ci-pod-webhook"));
    });
  }
});
