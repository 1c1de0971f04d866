import type { KubeConfig } from "@kubernetes/client-node";

/** Options for {@link startCluster}. All fields are optional. */
export interface StartClusterOptions {
  /**
   * Directory holding `kube-apiserver` and `etcd`. When omitted the binaries are built (or
   * reused from the cache) by `test/e2e/toolchain/build.sh`. Env `CI_POD_WEBHOOK_E2E_BIN_DIR`
   * has the same effect.
   */
  binDir?: string;
  /** How long to wait for etcd health and apiserver `/readyz`, in ms. Default 120 000. */
  readyTimeoutMs?: number;
  /** Keep the temp dir (certs, logs, etcd data) after `stop()`, for debugging. Env `CI_POD_WEBHOOK_E2E_KEEP=1` too. */
  keepDir?: boolean;
  /** Extra `--flag=value` arguments appended to the kube-apiserver command line. */
  extraApiserverArgs?: string[];
  /** kube-apiserver log verbosity (`--v`). Default 1. */
  verbosity?: number;
}

/** Paths of the log files the control plane writes (stdout and stderr combined). */
export interface ClusterLogs {
  etcd: string;
  apiserver: string;
}

/** A running etcd + kube-apiserver pair on loopback; see {@link startCluster}. */
export interface TestCluster {
  /** Base URL of the apiserver, e.g. `https://127.0.0.1:40123`. */
  readonly server: string;
  /** Kubeconfig (admin bearer token, group `system:masters`) usable by kubectl and client-node. */
  readonly kubeconfigPath: string;
  /** PEM of the CA that signed the apiserver serving certificate. */
  readonly caCertPem: string;
  /** PEM certificate and key of the CA (e.g. to sign a webhook's serving cert). */
  readonly ca: { certPem: string; keyPem: string };
  /** The admin bearer token. */
  readonly token: string;
  /** Temporary working dir (certs, kubeconfig, logs, etcd data). Removed by `stop()`. */
  readonly dir: string;
  /** Process ids of the two control-plane processes (each leads its own process group). */
  readonly pids: { etcd: number; apiserver: number };
  /** A fresh `KubeConfig` loaded from {@link TestCluster.kubeconfigPath}. */
  kubeConfig(): KubeConfig;
  /** Paths of the log files. */
  logs(): ClusterLogs;
  /** Kill apiserver and etcd (process groups; SIGTERM, then SIGKILL) and remove `dir`. Idempotent. */
  stop(): Promise<void>;
}
