/**
 * The request bodies: AdmissionReview v1 JSON of the GitLab DinD fixture, a large GitLab job pod, a tiny
 * non-CI pod, and a size ladder of GitLab job pods. Written to files for the load generators.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { admissionReview } from "./apiserver-shape.js";
import { gitlabJobPod, type JobPod } from "./pod-shapes.js";

export interface BenchBody {
  id: string;
  description: string;
  file: string;
  bytes: number;
  /** Open-loop rate for this body (req/s); absent: saturation only. */
  openLoopRate?: number;
  /** Nominal size in KiB when the body is a point of the size ladder. */
  ladderKiB?: number;
}

const FIXTURE_DIRS = [new URL("../fixtures/shared/", import.meta.url).pathname, "/work/shared/fixtures/"];
const GITLAB_REVIEW = { manager: "gitlab-runner", username: "system:serviceaccount:gitlab-runner:gitlab-runner" };
const RS_REVIEW = { manager: "kube-controller-manager", username: "system:serviceaccount:kube-system:replicaset-controller" };

/** Ladder points: nominal size and how many services the job has at that size. */
const LADDER: { kib: number; services: number }[] = [
  { kib: 25, services: 1 }, { kib: 100, services: 4 }, { kib: 500, services: 17 }, { kib: 2048, services: 17 },
];
const LARGE_KIB = 500;

export function buildBodies(dir: string): BenchBody[] {
  const gitlab = fixture("gitlab-attach-dind.pod.json");
  const nginx = fixture("plain-nginx.pod.json");
  const write = (id: string, review: object): { file: string; bytes: number } => {
    const file = join(dir, `${id}.review.json`);
    const text = JSON.stringify(review);
    writeFileSync(file, text);
    return { file, bytes: Buffer.byteLength(text) };
  };
  const bodies: BenchBody[] = [
    { id: "tiny", description: "non-CI nginx ReplicaSet pod", ...write("tiny", admissionReview(nginx, RS_REVIEW)), openLoopRate: 500 },
    { id: "gitlab", description: "GitLab DinD fixture", ...write("gitlab", admissionReview(gitlab, GITLAB_REVIEW)), openLoopRate: 500 },
  ];
  for (const point of LADDER) {
    const large = point.kib === LARGE_KIB;
    const pod = sizedJobPod(gitlab, point.services, point.kib * 1024);
    const vars = pod.spec.containers[0]?.env?.length ?? 0;
    const containers = pod.spec.containers.length + (pod.spec.initContainers?.length ?? 0);
    bodies.push({
      id: large ? "large" : `ladder-${point.kib}k`,
      description: `GitLab job, ${containers} containers, ${vars} vars each`,
      ...write(large ? "large" : `ladder-${point.kib}k`, admissionReview(pod, GITLAB_REVIEW)),
      ladderKiB: point.kib,
      ...(large ? { openLoopRate: 50 } : {}),
    });
  }
  return bodies;
}

/** The job pod with `services` services whose review is the smallest at or above `targetBytes`. */
function sizedJobPod(base: JobPod, services: number, targetBytes: number): JobPod {
  const size = (vars: number) => Buffer.byteLength(JSON.stringify(admissionReview(gitlabJobPod(base, { services, vars }), GITLAB_REVIEW)));
  let lo = 0;
  let hi = 64;
  while (size(hi) < targetBytes) hi *= 2;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (size(mid) < targetBytes) lo = mid;
    else hi = mid;
  }
  return gitlabJobPod(base, { services, vars: hi });
}

function fixture(name: string): JobPod {
  const dir = FIXTURE_DIRS.find((d) => existsSync(join(d, name)));
  if (!dir) throw new Error(`fixture ${name} not found in ${FIXTURE_DIRS.join(" or ")}`);
  return JSON.parse(readFileSync(join(dir, name), "utf8")) as JobPod;
}
