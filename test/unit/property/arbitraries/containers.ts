/**
 * Container drafts: everything but the name and the volume mounts, which the pod generator assigns so
 * names are unique and mounts reference existing volumes. Images and commands include every DinD form.
 */
import fc from "fast-check";
import { compact } from "./compact.js";
import { sometimes } from "./sometimes.js";
import { envNameArb, envValueArb } from "./names.js";
import { mountPathArb } from "./paths.js";

export const IMAGES = [
  "docker:27-dind", "docker:27.3-dind", "x/docker:dind", "mirror.example.com:5000/docker:dind-rootless", "docker:dind",
  "docker:cli", "docker", "docker:27", "nginx", "nginx:1.27", "alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  "registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:x86_64-v17.9.0", "jenkins/inbound-agent:3283.v92c105e0f819-4",
  "ghcr.io/actions/actions-runner:latest", "example.com/tools/dind-builder:1", "gcr.io/tekton-releases/entrypoint:v0.62",
];

/** Ground truth for the vocabulary above: the images that run a DinD daemon. */
export const DIND_IMAGES = new Set([
  "docker:27-dind", "docker:27.3-dind", "x/docker:dind", "mirror.example.com:5000/docker:dind-rootless", "docker:dind",
  "example.com/tools/dind-builder:1",
]);

/** Ground truth for the vocabulary below: the command/args words that start a Docker daemon. */
export const DOCKERD_WORDS = new Set([
  "dockerd", "dockerd-entrypoint.sh", "/usr/local/bin/dockerd", "dockerd --host=unix:///var/run/docker.sock", "echo hi; dockerd",
]);

const WORDS = [
  "sh", "-c", "dockerd", "dockerd-entrypoint.sh", "/usr/local/bin/dockerd", "sleep", "99d", "/tekton/bin/entrypoint",
  "-wait_file", "/tekton/downward/ready", "--group=$(DOCKER_GROUP_GID)", "dockerd --host=unix:///var/run/docker.sock",
  "echo hi; dockerd", "notdockerd", "/home/runner/run.sh", "if [ -x /usr/local/bin/bash ]; then\n\texec /usr/local/bin/bash\nfi",
];

const envVarArb = fc.record({
  name: envNameArb,
  value: fc.option(envValueArb, { nil: undefined }),
  valueFrom: sometimes(fc.constant({ secretKeyRef: { name: "runner-jit", key: "jitToken" } }), 15),
}).map(({ name, value, valueFrom }) => compact(valueFrom ? { name, valueFrom } : { name, value }));

/** A container minus `name` and `volumeMounts`. */
export type ContainerDraft = Record<string, unknown>;

export const containerDraftArb: fc.Arbitrary<ContainerDraft> = fc
  .record({
    image: fc.constantFrom(...IMAGES),
    command: fc.option(fc.array(fc.constantFrom(...WORDS), { maxLength: 3 }), { nil: undefined }),
    args: fc.option(fc.array(fc.constantFrom(...WORDS), { maxLength: 4 }), { nil: undefined }),
    stdin: fc.option(fc.boolean(), { nil: undefined }),
    stdinOnce: fc.option(fc.boolean(), { nil: undefined }),
    tty: fc.option(fc.boolean(), { nil: undefined }),
    workingDir: fc.option(mountPathArb, { nil: undefined }),
    terminationMessagePath: fc.option(fc.constant("/dev/termination-log"), { nil: undefined }),
    env: fc.option(fc.array(envVarArb, { maxLength: 5 }), { nil: undefined }),
    resources: fc.option(fc.constant({}), { nil: undefined }),
    securityContext: fc.option(fc.constantFrom({ privileged: true }, { capabilities: { drop: ["NET_RAW"] } }), { nil: undefined }),
  })
  .map((draft) => compact(draft));

/** Init containers: sometimes a native sidecar (`restartPolicy: Always`, with a startupProbe as ARC sets). */
export const initContainerDraftArb: fc.Arbitrary<ContainerDraft> = fc
  .tuple(containerDraftArb, fc.boolean())
  .map(([draft, sidecar]) =>
    sidecar ? { ...draft, restartPolicy: "Always", startupProbe: { exec: { command: ["docker", "info"] }, periodSeconds: 1 } } : draft,
  );
