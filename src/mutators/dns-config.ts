/**
 * dns: merges resolver options (default `ndots:2`) into `dnsConfig.options`. musl resolvers with the
 * cluster default `ndots:5` walk every search domain for `git.example.com` and time out at random.
 * Keeps every option, nameserver and search the pod states; never changes `dnsPolicy` or `hostNetwork`.
 */
import type { DnsOption } from "../k8s/pod.js";
import { updateSpec } from "../k8s/update.js";
import type { Mutator } from "./types.js";

export const applyDnsConfig: Mutator = (pod, ctx) => {
  const { options: wanted, override: overrideWanted } = ctx.config.dns;
  // With dnsPolicy None the pod's own dnsConfig is all it gets: only fill gaps, never override.
  const override = overrideWanted && pod.spec?.dnsPolicy !== "None";
  const current: DnsOption[] = Array.isArray(pod.spec?.dnsConfig?.options) ? pod.spec.dnsConfig.options : [];
  const next = [...current];
  const changes: string[] = [];
  for (const option of wanted) {
    const at = next.findIndex((o) => o?.name === option.name);
    if (at === -1) {
      next.push(withValue(option));
      changes.push(`add option ${option.name}`);
    } else if (override && next[at]?.value !== option.value) {
      next[at] = withValue(option);
      changes.push(`override option ${option.name}`);
    }
  }
  if (changes.length === 0) return { kind: "unchanged", reason: "resolver options already present" };
  const mutated = updateSpec(pod, (spec) => ({ ...spec, dnsConfig: { ...spec.dnsConfig, options: next } }));
  return { kind: "mutated", pod: mutated, changes };
};

function withValue(option: DnsOption): DnsOption {
  return option.value === undefined ? { name: option.name } : { name: option.name, value: option.value };
}
