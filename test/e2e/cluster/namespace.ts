import { ApiException, CoreV1Api, type V1Namespace } from "@kubernetes/client-node";
import type { TestCluster } from "./types.js";

function isConflict(err: unknown): boolean {
  return err instanceof ApiException && err.code === 409;
}

/** Runs `create`; an AlreadyExists (409) answer counts as success. */
async function createIgnoringConflict(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!isConflict(err)) throw err;
  }
}

/**
 * Creates namespace `name` (or, if it exists, merges `labels` into it) plus what
 * kube-controller-manager would normally add, since the test cluster runs no controllers:
 * the `default` ServiceAccount (the ServiceAccount admission plugin rejects pods without it)
 * and the `kube-root-ca.crt` ConfigMap (referenced by the projected token volume). Idempotent.
 */
export async function ensureNamespace(
  cluster: TestCluster,
  name: string,
  labels: Record<string, string> = {},
): Promise<V1Namespace> {
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  let ns: V1Namespace;
  try {
    ns = await core.createNamespace({ body: { metadata: { name, labels } } });
  } catch (err) {
    if (!isConflict(err)) throw err;
    const existing = await core.readNamespace({ name });
    existing.metadata = { ...existing.metadata, labels: { ...existing.metadata?.labels, ...labels } };
    ns = await core.replaceNamespace({ name, body: existing });
  }
  await createIgnoringConflict(() =>
    core.createNamespacedServiceAccount({ namespace: name, body: { metadata: { name: "default" } } }),
  );
  await createIgnoringConflict(() =>
    core.createNamespacedConfigMap({
      namespace: name,
      body: { metadata: { name: "kube-root-ca.crt" }, data: { "ca.crt": cluster.caCertPem } },
    }),
  );
  return ns;
}
