/** Fixture pods for the test cluster, and reading pods back exactly as stored. */
import { ApiException, CoreV1Api, type V1Pod, type V1Status } from "@kubernetes/client-node";
import type { TestCluster } from "../cluster/index.js";
import type { Pod } from "../../../src/k8s/pod.js";
import { loadFixture, type SharedFixture } from "../../support/fixtures.js";
import { kubeRequest } from "./kube-http.js";

/** The four CI fixtures the webhook must mutate (the /dev one is denied, plain-nginx is not CI). */
export const CI_FIXTURES = ["gitlab-attach-dind", "jenkins-agent-dind", "arc-ephemeral-runner-dind", "tekton-taskrun-dind"] as const satisfies readonly SharedFixture[];

/** A fresh copy of a fixture; `name` replaces name/generateName, `namespace` the namespace. */
export function fixturePod(fixture: SharedFixture, opts: { name?: string; generateName?: string; namespace?: string; labels?: Record<string, string> } = {}): Pod {
  const pod = loadFixture(fixture);
  const metadata = { ...pod.metadata };
  if (opts.name !== undefined) {
    metadata.name = opts.name;
    delete metadata.generateName;
  }
  if (opts.generateName !== undefined) {
    metadata.generateName = opts.generateName;
    delete metadata.name;
  }
  if (opts.namespace !== undefined) metadata.namespace = opts.namespace;
  if (opts.labels) metadata.labels = { ...metadata.labels, ...opts.labels };
  return { ...pod, metadata };
}

export function namespaceOf(pod: Pod): string {
  const ns = pod.metadata?.namespace;
  if (!ns) throw new Error("fixture without a namespace");
  return ns;
}

/** Creates through @kubernetes/client-node, as a CI system's client would. */
export async function createPod(cluster: TestCluster, pod: Pod, opts: { dryRun?: boolean } = {}): Promise<V1Pod> {
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  const created = await core.createNamespacedPod({ namespace: namespaceOf(pod), body: pod, ...(opts.dryRun ? { dryRun: "All" } : {}) });
  return plain(created);
}

/** The pod exactly as the API server returns it (raw JSON, no client-side model classes). */
export async function readPod(cluster: TestCluster, namespace: string, name: string): Promise<Pod> {
  const res = await kubeRequest<Pod>(cluster, "GET", `/api/v1/namespaces/${namespace}/pods/${name}`);
  if (res.status !== 200) throw new Error(`GET pod ${namespace}/${name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Drops `undefined` members and turns Dates into strings, as JSON on the wire has them. */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The Status a failed client-node call carries: HTTP code and the message the user sees. */
export function apiError(err: unknown): { code: number; status: V1Status } {
  if (!(err instanceof ApiException)) throw err;
  const body: unknown = typeof err.body === "string" ? JSON.parse(err.body) : err.body;
  return { code: err.code, status: body as V1Status };
}

/** Runs `create`, which must fail; returns its Status. */
export async function expectRefused(create: () => Promise<unknown>): Promise<{ code: number; status: V1Status }> {
  try {
    await create();
  } catch (err) {
    return apiError(err);
  }
  throw new Error("expected the API server to refuse the request, but it succeeded");
}
