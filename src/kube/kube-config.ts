/** Finds Kubernetes API credentials: in-cluster service account, else a kubeconfig (flag, KUBECONFIG, ~/.kube/config). */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export type KubeAccess = { kc: KubeConfig; source: string } | undefined;

/** Returns undefined when no credentials exist at all (local runs): callers then assume defaults. */
export function findKubeAccess(kubeconfigPath?: string, env: NodeJS.ProcessEnv = process.env): KubeAccess {
  const kc = new KubeConfig();
  if (kubeconfigPath) {
    kc.loadFromFile(kubeconfigPath);
    return { kc, source: kubeconfigPath };
  }
  if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kc.loadFromCluster();
    return { kc, source: "in-cluster service account" };
  }
  const candidates = [...(env.KUBECONFIG ?? "").split(":").filter(Boolean), join(homedir(), ".kube", "config")];
  const found = candidates.find((path) => existsSync(path));
  if (!found) return undefined;
  kc.loadFromFile(found);
  return { kc, source: found };
}
