/**
 * Finds Kubernetes API credentials: in-cluster service account, else a kubeconfig (flag, KUBECONFIG,
 * ~/.kube/config). @kubernetes/client-node is imported only when credentials exist: it costs ~75 MB of
 * RSS and a second of start-up, which local runs and the CLI should not pay.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";

const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export type KubeAccess = { kc: KubeConfig; source: string } | undefined;

/** Returns undefined when no credentials exist at all (local runs): callers then assume defaults. */
export async function findKubeAccess(kubeconfigPath?: string, env: NodeJS.ProcessEnv = process.env): Promise<KubeAccess> {
  const source = findCredentialSource(kubeconfigPath, env);
  if (!source) return undefined;
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  if (source === IN_CLUSTER) kc.loadFromCluster();
  else kc.loadFromFile(source);
  return { kc, source };
}

const IN_CLUSTER = "in-cluster service account";

function findCredentialSource(kubeconfigPath: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (kubeconfigPath) return kubeconfigPath;
  if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) return IN_CLUSTER;
  const candidates = [...(env.KUBECONFIG ?? "").split(":").filter(Boolean), join(homedir(), ".kube", "config")];
  return candidates.find((path) => existsSync(path));
}
