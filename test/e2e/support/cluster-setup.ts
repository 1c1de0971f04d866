/** What a CI namespace needs before the fixtures can be created in it (the test cluster runs no controllers). */
import path from "node:path";
import { ApiException, CoreV1Api } from "@kubernetes/client-node";
import { ensureNamespace, type TestCluster } from "../cluster/index.js";
import { writeKubeconfig } from "../cluster/kubeconfig.js";
import { defaultConfig } from "../../../src/config/load-config.js";
import type { Pod } from "../../../src/k8s/pod.js";

async function ignoreConflict(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!(err instanceof ApiException && err.code === 409)) throw err;
  }
}

/** The namespace, its `default` ServiceAccount, and each ServiceAccount named by `pods` (admission looks them up). */
export async function preparePodNamespace(cluster: TestCluster, namespace: string, pods: Pod[] = []): Promise<void> {
  await ensureNamespace(cluster, namespace);
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  const accounts = new Set(pods.map((p) => p.spec?.serviceAccountName).filter((n): n is string => typeof n === "string" && n !== "default"));
  for (const name of accounts) {
    await ignoreConflict(() => core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } }));
  }
}

/** The CA bundle ConfigMap (default name and key) holding `pem`, as trust-manager would make it. */
export async function createCaBundle(cluster: TestCluster, namespace: string, pem: string): Promise<void> {
  const { configMapName, key } = defaultConfig().caTrust;
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  await ignoreConflict(() => core.createNamespacedConfigMap({ namespace, body: { metadata: { name: configMapName }, data: { [key]: pem } } }));
}

/**
 * A kubeconfig that authenticates as a ServiceAccount (a bound token from the TokenRequest API, as the
 * kubelet would mount it): the webhook then runs with exactly the RBAC deploy/ grants it.
 */
export async function serviceAccountKubeconfig(cluster: TestCluster, namespace: string, name: string): Promise<string> {
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  const token = request.status?.token;
  if (!token) throw new Error(`no token for ServiceAccount ${namespace}/${name}`);
  const file = path.join(cluster.dir, `kubeconfig-sa-${namespace}-${name}`);
  await writeKubeconfig(file, cluster.server, cluster.caCertPem, token);
  return file;
}
