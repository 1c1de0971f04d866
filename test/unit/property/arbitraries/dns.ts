/**
 * Resolver settings and host aliases: every dnsPolicy, `None` with its required nameservers, options with
 * zero, one or two `ndots`, and hostAliases that sometimes already map `docker` (to 127.0.0.1 or elsewhere).
 */
import fc from "fast-check";
import { compact } from "./compact.js";
import { hostnameArb, ipArb, searchDomainArb } from "./names.js";

const optionArb = fc.constantFrom(
  { name: "ndots", value: "5" }, { name: "ndots", value: "1" }, { name: "timeout", value: "2" },
  { name: "attempts", value: "3" }, { name: "single-request-reopen" }, { name: "edns0" },
);

export interface DnsDraft {
  dnsPolicy?: string;
  dnsConfig?: Record<string, unknown>;
  hostNetwork?: boolean;
}

export const dnsArb: fc.Arbitrary<DnsDraft> = fc
  .record({
    dnsPolicy: fc.option(fc.constantFrom("ClusterFirst", "Default", "ClusterFirstWithHostNet", "None"), { nil: undefined }),
    hasConfig: fc.boolean(),
    // Usually within the API limits (3 nameservers, 32 searches); rarely over them, as a pod the API would reject.
    nameservers: fc.option(fc.array(ipArb, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    searches: fc.option(fc.oneof({ weight: 9, arbitrary: fc.array(searchDomainArb, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.array(searchDomainArb, { minLength: 30, maxLength: 34 }) }), { nil: undefined }),
    options: fc.option(fc.array(optionArb, { maxLength: 4 }), { nil: undefined }),
    hostNetwork: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map(({ dnsPolicy, hasConfig, nameservers, searches, options, hostNetwork }) => {
    // dnsPolicy None requires at least one nameserver.
    const servers = dnsPolicy === "None" && !nameservers ? ["10.96.0.10"] : nameservers;
    const dnsConfig = hasConfig || dnsPolicy === "None" ? compact({ nameservers: servers, searches, options }) : undefined;
    return compact({ dnsPolicy, dnsConfig, hostNetwork });
  });

export const hostAliasesArb: fc.Arbitrary<Record<string, unknown>[] | undefined> = fc.option(
  fc.array(fc.record({ ip: ipArb, hostnames: fc.uniqueArray(hostnameArb, { minLength: 1, maxLength: 2 }) }), { maxLength: 3 }),
  { nil: undefined },
);

/** Windows markers (spec.os, the GA and beta OS labels, GitLab's windows-build selector) or Linux / none. */
type OsDraft = { os?: Record<string, string>; nodeSelector?: Record<string, string> };

export const osArb: fc.Arbitrary<OsDraft> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<OsDraft>({}, { nodeSelector: { "kubernetes.io/os": "linux" } }, { os: { name: "linux" } }) },
  { weight: 1, arbitrary: windowsArb() },
);

function windowsArb(): fc.Arbitrary<OsDraft> {
  return fc.constantFrom<OsDraft>(
  { os: { name: "windows" } },
  { nodeSelector: { "kubernetes.io/os": "windows" } },
  { nodeSelector: { "beta.kubernetes.io/os": "windows" } },
  { nodeSelector: { "kubernetes.io/os": "windows", "node.kubernetes.io/windows-build": "10.0.17763" } },
  { nodeSelector: { "node.kubernetes.io/windows-build": "10.0.20348" } },
  );
}
