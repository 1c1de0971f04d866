/**
 * Pod metadata: the labels and annotations of each CI system (GitLab new and old, Jenkins, ARC scale sets and
 * legacy ARC, Tekton, an operator's custom selector), near misses, plain pods, the skip annotation, and
 * names set, generated or absent.
 */
import fc from "fast-check";
import { compact } from "./compact.js";
import { sometimes } from "./sometimes.js";

export const CI_KINDS = ["gitlab", "gitlab-old", "jenkins", "arc", "arc-legacy", "tekton", "tekton-custom", "custom", "none"] as const;
export type CiKind = (typeof CI_KINDS)[number];

/** The label a custom detector in the config generator selects on. */
export const CUSTOM_LABEL = { key: "ci.example.com/job", value: "true" };
export const CUSTOM_MANAGED_BY = "my-tekton";

const RUNNER_POD = "runner-t3xq9zk2a-project-4242-concurrent-0";

const labelsFor: Record<CiKind, fc.Arbitrary<Record<string, string>>> = {
  gitlab: fc.constant({ "job.runner.gitlab.com/pod": RUNNER_POD, pod: RUNNER_POD, "project.runner.gitlab.com/id": "4242", "manager.runner.gitlab.com/name": "k8s-runner" }),
  "gitlab-old": fc.constant({ pod: RUNNER_POD }),
  jenkins: fc.constantFrom<Record<string, string>>(
    { jenkins: "slave", "jenkins/label": "agent", "jenkins/label-digest": "0e3f", "kubernetes.jenkins.io/controller": "http___jenkins_8080x" },
    { "jenkins/label-digest": "0e3f" },
    { "kubernetes.jenkins.io/controller": "c" },
  ),
  arc: fc.constant({ "actions-ephemeral-runner": "True", "app.kubernetes.io/component": "runner", "actions.github.com/scale-set-name": "arc-runner-set" }),
  "arc-legacy": fc.constantFrom<Record<string, string>>({ "actions-runner": "" }, { "runner-deployment-name": "rd" }, { "runnerset-name": "rs" }),
  tekton: fc.constant({ "app.kubernetes.io/managed-by": "tekton-pipelines", "tekton.dev/taskRun": "build-run-x", "tekton.dev/task": "build" }),
  "tekton-custom": fc.constant({ "app.kubernetes.io/managed-by": CUSTOM_MANAGED_BY, "tekton.dev/taskRun": "build-run-x" }),
  custom: fc.constant({ [CUSTOM_LABEL.key]: CUSTOM_LABEL.value }),
  none: fc.constantFrom<Record<string, string>>(
    {},
    { app: "web", "pod-template-hash": "7c5b8d9f6d" },
    { "actions-ephemeral-runner": "False", "app.kubernetes.io/component": "runner" },
    { "app.kubernetes.io/managed-by": "Helm", "tekton.dev/taskRun": "x" },
    { jenkins: "slave" },
    { [CUSTOM_LABEL.key]: "false" },
  ),
};

const annotationsFor: Partial<Record<CiKind, Record<string, string>>> = {
  gitlab: { "job.runner.gitlab.com/id": "987654", "project.runner.gitlab.com/id": "4242" },
  "gitlab-old": { "job.runner.gitlab.com/id": "987654" },
  jenkins: { buildUrl: "https://jenkins.example.com/job/x/1/", "kubernetes.jenkins.io/last-refresh": "1" },
  tekton: { "pipeline.tekton.dev/release": "v0.62.0" },
};

const extraAnnotationsArb = fc.record({
  skip: sometimes(fc.constantFrom("true", "true", "false", "True"), 25),
  mutated: sometimes(fc.constantFrom("ca-trust", "dns,docker-host-alias", "something-else"), 40),
  other: sometimes(fc.constantFrom("x", ""), 50),
}).map(({ skip, mutated, other }) => compact({
  "ci-pod-webhook.io/skip": skip,
  "ci-pod-webhook.io/mutated": mutated,
  "example.com/note": other,
}));

export interface MetadataDraft {
  kind: CiKind;
  metadata: Record<string, unknown> | undefined;
}

export const metadataArb: fc.Arbitrary<MetadataDraft> = fc
  .constantFrom(...CI_KINDS)
  .chain((kind) =>
    fc.record({
      kind: fc.constant(kind),
      labels: labelsFor[kind],
      extraLabels: fc.option(fc.constant({ team: "platform" }), { nil: undefined }),
      annotations: sometimes(extraAnnotationsArb, 50),
      naming: fc.constantFrom("name", "generateName", "none"),
      namespace: fc.option(fc.constantFrom("gitlab-ci", "arc-runners", "default"), { nil: undefined }),
      omitMetadata: fc.boolean().map((b) => b && kind === "none"),
    }),
  )
  .map(({ kind, labels, extraLabels, annotations, naming, namespace, omitMetadata }) => {
    if (omitMetadata) return { kind, metadata: undefined };
    const allLabels = { ...labels, ...extraLabels };
    const allAnnotations = { ...annotationsFor[kind], ...annotations };
    const metadata = compact({
      name: naming === "name" ? "ci-job-pod-1" : undefined,
      generateName: naming === "generateName" ? RUNNER_POD : undefined,
      namespace,
      creationTimestamp: null,
      labels: Object.keys(allLabels).length > 0 ? allLabels : undefined,
      annotations: Object.keys(allAnnotations).length > 0 ? allAnnotations : undefined,
    });
    return { kind, metadata };
  });
