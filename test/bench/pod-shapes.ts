/**
 * GitLab Runner job pods of any size, grown from the shared fixture the way real jobs grow: every job
 * variable goes into `build` and into every service container, and each `services:` entry adds a
 * container and a host alias. Deterministic (seeded), so every run sends byte-identical bodies.
 */
export interface JobShape {
  /** Service containers `svc-0..svc-N-1` (the fixture has one, `docker:27.3-dind`). */
  services: number;
  /** Job variables; the fixture's own env comes first, then synthetic project/group variables. */
  vars: number;
}

interface EnvVar {
  name: string;
  value: string;
}
type Container = Record<string, unknown> & { name: string; env?: EnvVar[] };

/** The parts of a pod this module touches; everything else is carried along as parsed JSON. */
export interface JobPod {
  spec: { containers: Container[]; initContainers?: Container[]; hostAliases?: { ip: string; hostnames: string[] }[] };
}

const SERVICE_IMAGES = [
  ["docker:27.3-dind", "docker"], ["postgres:16.4", "postgres"], ["redis:7.4", "redis"], ["mysql:8.4", "mysql"],
  ["mongo:7.0", "mongo"], ["rabbitmq:3.13-management", "rabbitmq"], ["minio/minio:RELEASE.2024-10-13T13-34-11Z", "minio"],
  ["elasticsearch:8.15.2", "elasticsearch"], ["memcached:1.6", "memcached"], ["localstack/localstack:3.8", "localstack"],
] as const;
const AREAS = ["DEPLOY", "APP", "FEATURE", "INFRA", "TEST", "BUILD", "CACHE", "REGISTRY", "SENTRY", "VAULT", "K8S", "TF"];
const KINDS = ["URL", "TOKEN", "FLAG", "REGION", "BUCKET", "CONFIG", "TIMEOUT", "IMAGE", "HOST", "USER"];

/** The fixture pod grown to `shape`; `base` is not modified. */
export function gitlabJobPod(base: JobPod, shape: JobShape): JobPod {
  const pod = structuredClone(base);
  const build = pod.spec.containers.find((c) => c.name === "build");
  const svc0 = pod.spec.containers.find((c) => c.name === "svc-0");
  if (!build || !svc0) throw new Error("the GitLab fixture must have containers build and svc-0");
  const vars = jobVariables(build.env ?? [], shape.vars);
  build.env = vars;
  const services = Array.from({ length: shape.services }, (_, i) => serviceContainer(svc0, i, vars));
  pod.spec.containers = [...pod.spec.containers.filter((c) => !c.name.startsWith("svc-")), ...services];
  const aliases = [...new Set(services.map((_, i) => alias(i)))];
  pod.spec.hostAliases = [{ ip: "127.0.0.1", hostnames: aliases }];
  return pod;
}

function serviceContainer(template: Container, i: number, vars: EnvVar[]): Container {
  const [image] = SERVICE_IMAGES[i % SERVICE_IMAGES.length] as readonly [string, string];
  const c = structuredClone(template);
  c.name = `svc-${i}`;
  if (i > 0) {
    c.image = image;
    delete c.securityContext; // only the DinD service runs privileged
  }
  c.env = vars;
  return c;
}

function alias(i: number): string {
  const [, name] = SERVICE_IMAGES[i % SERVICE_IMAGES.length] as readonly [string, string];
  return i < SERVICE_IMAGES.length ? name : `${name}-${Math.floor(i / SERVICE_IMAGES.length)}`;
}

function jobVariables(fixtureEnv: EnvVar[], count: number): EnvVar[] {
  const out = fixtureEnv.slice(0, count);
  const rand = mulberry32(0x5eed);
  for (let i = out.length; i < count; i++) {
    const area = AREAS[i % AREAS.length] as string;
    const kind = KINDS[Math.floor(i / AREAS.length) % KINDS.length] as string;
    out.push({ name: `${area}_${kind}_${i}`, value: variableValue(kind, rand) });
  }
  return out;
}

function variableValue(kind: string, rand: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("");
  switch (kind) {
    case "URL": return `https://${hex(6)}.internal.example.com/api/v2/${hex(8)}`;
    case "TOKEN": return `glpat-${hex(20)}`;
    case "CONFIG": return JSON.stringify({ retries: 3, endpoint: `https://${hex(8)}.example.com`, tags: [hex(4), hex(4)] });
    case "IMAGE": return `registry.gitlab.example.com/platform/${hex(6)}:${hex(8)}`;
    default: return hex(4 + Math.floor(rand() * 24));
  }
}

/** A tiny seeded PRNG (mulberry32): the same bodies on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
