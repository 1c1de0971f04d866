/**
 * Whole pods the API server would accept on CREATE: unique container and volume names, unique mountPath
 * per container, every mount naming an existing volume. GitLab pods from old runners get `build` and
 * `helper` containers, because that is how the old label is confirmed.
 */
import fc from "fast-check";
import type { Pod } from "../../../../src/k8s/pod.js";
import { compact } from "./compact.js";
import { containerDraftArb, initContainerDraftArb, type ContainerDraft } from "./containers.js";
import { dnsArb, hostAliasesArb, osArb } from "./dns.js";
import { metadataArb, type CiKind } from "./metadata.js";
import { dnsLabelArb } from "./names.js";
import { mountPathArb, subPathArb } from "./paths.js";
import { volumesArb } from "./volumes.js";

interface MountDraft {
  volume: number;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}

const mountDraftArb: fc.Arbitrary<MountDraft> = fc.record(
  { volume: fc.nat(), mountPath: mountPathArb, readOnly: fc.boolean(), subPath: subPathArb },
  { requiredKeys: ["volume", "mountPath"] },
);

const mountsArb = fc.option(fc.uniqueArray(mountDraftArb, { selector: (m) => m.mountPath, maxLength: 4 }), { nil: undefined, freq: 4 });
const withMounts = fc.tuple(containerDraftArb, mountsArb);
const initWithMounts = fc.tuple(initContainerDraftArb, mountsArb);

export interface GeneratedPod {
  kind: CiKind;
  pod: Pod;
  /** Set when the pod is a reinvocation input: what another webhook changed after our first pass. */
  reinvoked?: string[];
}

export const podArb: fc.Arbitrary<GeneratedPod> = fc
  .record({
    meta: metadataArb,
    containers: fc.array(withMounts, { minLength: 1, maxLength: 4 }),
    initContainers: fc.option(fc.array(initWithMounts, { maxLength: 3 }), { nil: undefined }),
    names: fc.uniqueArray(dnsLabelArb, { minLength: 10, maxLength: 10 }),
    gitlabNames: fc.boolean(),
    volumes: fc.option(volumesArb, { nil: undefined }),
    dns: dnsArb,
    hostAliases: hostAliasesArb,
    os: osArb,
    restartPolicy: fc.option(fc.constantFrom("Never", "OnFailure", "Always"), { nil: undefined }),
    extra: fc.option(fc.constantFrom({ resources: {} }, { hostUsers: false }, { activeDeadlineSeconds: 3601, serviceAccountName: "ci" }), { nil: undefined }),
  })
  .map(({ meta, containers, initContainers, names, gitlabNames, volumes, dns, hostAliases, os, restartPolicy, extra }) => {
    const volumeNames = (volumes ?? []).map((v) => String(v.name));
    const others = names.filter((n) => n !== "build" && n !== "helper");
    const pool = gitlabNames || meta.kind === "gitlab-old" ? ["build", "helper", ...others] : others;
    let next = 0;
    const build = ([draft, mounts]: [ContainerDraft, MountDraft[] | undefined]) =>
      compact({ name: pool[next++ % pool.length], ...draft, volumeMounts: toMounts(mounts, volumeNames) });
    const builtContainers = containers.map(build);
    const builtInit = initContainers?.map(build);
    const spec = compact({
      ...extra,
      ...os,
      ...dns,
      restartPolicy,
      hostAliases,
      volumes,
      initContainers: builtInit,
      containers: builtContainers,
    });
    const pod = compact({ apiVersion: "v1", kind: "Pod", metadata: meta.metadata, spec });
    // As decoded from the wire: plain objects (fc.record builds null-prototype ones), no undefined.
    return { kind: meta.kind, pod: JSON.parse(JSON.stringify(pod)) as Pod };
  });

function toMounts(mounts: MountDraft[] | undefined, volumeNames: string[]): Record<string, unknown>[] | undefined {
  if (mounts === undefined) return undefined;
  if (volumeNames.length === 0) return [];
  return mounts.map(({ volume, ...rest }) => ({ name: volumeNames[volume % volumeNames.length], ...rest }));
}
