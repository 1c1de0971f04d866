/**
 * Configurations across the range operators use: defaults, CA overlays and registries, DNS override,
 * `when: always`, builds-dir warn mode and custom path lists, audit mode, custom detectors, detectors
 * disabled. Each goes through `validateConfig`, so only configs the webhook would load are generated.
 */
import fc from "fast-check";
import type { Config } from "../../../../src/config/schema.js";
import { validateConfig } from "../../../../src/config/load-config.js";
import { compact } from "./compact.js";
import { sometimes } from "./sometimes.js";
import { CUSTOM_LABEL, CUSTOM_MANAGED_BY, type CiKind } from "./metadata.js";

/** Present in `percent` of configs (absent means the default). */
const maybe = <T>(arb: fc.Arbitrary<T>, percent = 30) => sometimes(arb, percent);
/** Mostly true: a disabled feature turns most properties into no-ops. */
const mostlyOn = fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });

/** Detector settings; `focus` makes the custom detector or the custom Tekton managedBy likely, to match a pod. */
function detectorsArb(focus: CiKind | undefined) {
  const customLikely = focus === "custom" ? 90 : 30;
  const managedByLikely = focus === "tekton-custom" ? 90 : focus === "tekton" ? 10 : 30;
  return fc.record({
    gitlab: maybe(fc.record({ enabled: mostlyOn })),
    jenkins: maybe(fc.record({ enabled: mostlyOn })),
    arc: maybe(fc.record({ enabled: mostlyOn })),
    tekton: fc.oneof(
      { weight: 100 - managedByLikely, arbitrary: maybe(fc.record({ enabled: mostlyOn })) },
      { weight: managedByLikely, arbitrary: fc.record({ enabled: mostlyOn, managedBy: fc.constant(CUSTOM_MANAGED_BY) }) },
    ),
    custom: maybe(fc.constantFrom(
      [{ name: "acme", matchLabels: { [CUSTOM_LABEL.key]: CUSTOM_LABEL.value } }],
      [{ name: "acme", matchLabels: { [CUSTOM_LABEL.key]: CUSTOM_LABEL.value } }, { name: "by-annotation", matchAnnotations: { "ci-pod-webhook.io/mutated": "ca-trust" } }],
      [{ name: "by-annotation", matchAnnotations: { "ci-pod-webhook.io/mutated": "ca-trust" } }],
    ), customLikely),
  }).map(compact);
}

const caTrustArb = fc.record({
  enabled: maybe(mostlyOn),
  overlaySystemPaths: maybe(fc.boolean(), 50),
  dockerRegistries: maybe(fc.constantFrom(["registry.example.com"], ["registry.example.com", "localhost:5000"]), 50),
  envVars: maybe(fc.constantFrom(["SSL_CERT_FILE"], [], ["SSL_CERT_FILE", "DOCKER_CERT_PATH"])),
  mountDir: maybe(fc.constantFrom("/etc/ssl/ci", "/usr/local/share/ca-certificates/ci", "/etc/ci-pod-webhook/ca/", "/etc//ci-pod-webhook/./ca")),
  // Duplicates, a trailing slash and nesting: the plan must not add the same mountPath twice.
  systemBundlePaths: maybe(fc.constantFrom(["/etc/ssl/cert.pem", "/etc/ssl/cert.pem/", "/etc/ssl/cert.pem"], ["/etc/ssl/certs", "/etc/ssl/certs/ca-certificates.crt"])),
  key: maybe(fc.constantFrom("ca.pem", "bundle.crt")),
  volumeName: maybe(fc.constantFrom("ci-ca", "repo")),
  configMapName: maybe(fc.constantFrom("other-ca")),
}).map(compact);

const dnsConfigArb = fc.record({
  enabled: maybe(mostlyOn),
  options: maybe(fc.constantFrom(
    [{ name: "ndots", value: "3" }],
    [{ name: "ndots", value: "2" }, { name: "single-request-reopen" }],
    [{ name: "timeout", value: "1" }],
    [{ name: "edns0" }, { name: "ndots", value: "1" }],
    [],
  )),
  override: maybe(fc.boolean(), 50),
}).map(compact);

const hostAliasArb = fc.record({
  enabled: maybe(mostlyOn),
  when: maybe(fc.constantFrom("dind", "always"), 50),
  ip: maybe(fc.constantFrom("127.0.0.1", "::1", "10.1.2.3")),
  hostnames: maybe(fc.constantFrom(["docker"], ["docker", "docker.local"], ["registry.local"])),
}).map(compact);

const buildsDirArb = fc.record({
  enabled: maybe(mostlyOn),
  action: maybe(fc.constantFrom("deny", "warn")),
  deniedPaths: maybe(fc.constantFrom(["/", "/var/", "//etc", "/usr/./bin"], ["/dev", "/builds/.."])),
  deniedTrees: maybe(fc.constantFrom(["/proc", "/sys", "/dev", "/var/lib/kubelet"], ["/dev/", "/proc/self/.."], [])),
  allowedPaths: maybe(fc.constantFrom(["/dev/shm", "/proc/self/"], [], ["/dev/shm/", "/dev/pts"])),
}).map(compact);

export interface GeneratedConfig {
  raw: Record<string, unknown>;
  config: Config;
}

/**
 * Configs for any pod; pass the pod's CI kind to make a matching custom detector likely. CA mount targets
 * stay clear of the builds-dir rules on purpose: validateConfig accepts contradicting pairs, and the
 * webhook then denies its own output (regressions.test.ts, the "finding" cases).
 */
export function configArbFor(focus?: CiKind): fc.Arbitrary<GeneratedConfig> {
  const drafts = fc.record({
    mode: maybe(fc.constantFrom("enforce", "audit"), 20),
    honourSkipAnnotation: maybe(fc.boolean(), 20),
    onInternalError: maybe(fc.constantFrom("allow", "deny")),
    detectors: focus === "custom" || focus === "tekton-custom" ? detectorsArb(focus) : maybe(detectorsArb(focus), 60),
    caTrust: maybe(caTrustArb, 60),
    dns: maybe(dnsConfigArb, 60),
    dockerHostAlias: maybe(hostAliasArb, 60),
    buildsDir: maybe(buildsDirArb, 60),
  });
  return drafts.map((draft) => {
    const raw = compact(draft);
    const result = validateConfig(raw);
    if (!result.ok) throw new Error(`generated an invalid config: ${result.errors.join("; ")}`);
    // Counterexamples print the config as written, not the 40 defaulted keys.
    return { raw, config: result.config, [fc.toStringMethod]: () => `config ${JSON.stringify(raw)}` };
  });
}
