/**
 * The API-server validation rules a mutation can break (pkg/apis/core/validation), checked on the raw JSON.
 * Returns every violation as `field: problem`; an empty list means the pod would be accepted.
 */
import { isIP } from "node:net";
import { Pod as PodModel } from "kubernetes-models/v1";
import type { Pod } from "../../../../src/k8s/pod.js";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export interface RuleOptions {
  /** Check the nameserver and search limits (only when the input respected them). */
  dnsLimits: boolean;
}

export function podRuleViolations(pod: Pod, opts: RuleOptions): string[] {
  const errors: string[] = [];
  try {
    new PodModel(pod as never).validate();
  } catch (err) {
    errors.push(`schema: ${(err as Error).message}`);
  }
  const spec = pod.spec;
  if (!spec) return [...errors, "spec: required"];
  const volumeNames = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    if (volumeNames.has(v.name)) errors.push(`spec.volumes[${i}].name: duplicate ${v.name}`);
    volumeNames.add(v.name);
    if (v.name.length > 63 || !DNS1123_LABEL.test(v.name)) errors.push(`spec.volumes[${i}].name: not a DNS-1123 label`);
  });
  const containerNames = new Set<string>();
  for (const list of ["initContainers", "containers"] as const) {
    (spec[list] ?? []).forEach((c, i) => {
      const where = `spec.${list}[${i}]`;
      if (containerNames.has(c.name)) errors.push(`${where}.name: duplicate ${c.name}`);
      containerNames.add(c.name);
      const paths = new Set<string>();
      (c.volumeMounts ?? []).forEach((m, j) => {
        if (!m.mountPath) errors.push(`${where}.volumeMounts[${j}].mountPath: required`);
        if (paths.has(m.mountPath)) errors.push(`${where}.volumeMounts[${j}].mountPath: duplicate ${m.mountPath}`);
        paths.add(m.mountPath);
        if (!volumeNames.has(m.name)) errors.push(`${where}.volumeMounts[${j}].name: volume ${m.name} not found`);
        if (m.subPath !== undefined && (m.subPath.startsWith("/") || m.subPath.split("/").includes(".."))) {
          errors.push(`${where}.volumeMounts[${j}].subPath: must be a relative path without '..'`);
        }
      });
      (c.env ?? []).forEach((e, j) => {
        if (!ENV_NAME.test(e.name)) errors.push(`${where}.env[${j}].name: invalid`);
      });
    });
  }
  (spec.hostAliases ?? []).forEach((a, i) => {
    // Go's net.ParseIP (used by the API server) rejects IPv6 zones, which node:net accepts.
    if (typeof a.ip !== "string" || isIP(a.ip) === 0 || a.ip.includes("%")) errors.push(`spec.hostAliases[${i}].ip: invalid`);
    (a.hostnames ?? []).forEach((h, j) => {
      if (h.length > 253 || !DNS1123_SUBDOMAIN.test(h)) errors.push(`spec.hostAliases[${i}].hostnames[${j}]: invalid`);
    });
  });
  const dns = spec.dnsConfig;
  if (opts.dnsLimits && (dns?.nameservers?.length ?? 0) > 3) errors.push("spec.dnsConfig.nameservers: more than 3");
  if (opts.dnsLimits && (dns?.searches?.length ?? 0) > 32) errors.push("spec.dnsConfig.searches: more than 32");
  (dns?.options ?? []).forEach((o, i) => {
    if (!o.name) errors.push(`spec.dnsConfig.options[${i}].name: required`);
  });
  if (spec.dnsPolicy === "None" && (dns?.nameservers?.length ?? 0) === 0) errors.push("spec.dnsConfig.nameservers: required with dnsPolicy None");
  return errors;
}

/** Whether the pod respects the nameserver and search limits. */
export function withinDnsLimits(pod: Pod): boolean {
  return (pod.spec?.dnsConfig?.nameservers?.length ?? 0) <= 3 && (pod.spec?.dnsConfig?.searches?.length ?? 0) <= 32;
}

export function countNdots(pod: Pod): number {
  return (pod.spec?.dnsConfig?.options ?? []).filter((o) => o.name === "ndots").length;
}
