/**
 * End-to-end test harness: a real kube-apiserver + etcd on loopback, built from the Go module
 * proxy by `test/e2e/toolchain/build.sh`.
 *
 * @example
 * ```ts
 * const cluster = await startCluster();
 * after(() => cluster.stop());
 * await ensureNamespace(cluster, "ci-jobs", { team: "ci" });
 * const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
 * ```
 * @module
 */
export { startCluster } from "./cluster.js";
export { ensureNamespace } from "./namespace.js";
export { ensureBinaries, type ControlPlaneBinaries } from "./toolchain.js";
export { isAlive } from "./process.js";
export type { ClusterLogs, StartClusterOptions, TestCluster } from "./types.js";
