/**
 * The configuration schema: strict (unknown keys are errors), every field defaulted, so `{}` is a full
 * config. README.md documents each key; test/unit/config-defaults.test.ts pins the defaults.
 */
import { isIP } from "node:net";
import { z } from "zod";
import { isSystemPath } from "../mutators/builds-dir-guard.js";
import { normaliseMountPath } from "../mutators/mount-path.js";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const REGISTRY_HOST = /^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?(:[0-9]{1,5})?$/;

function isUnique(values: readonly string[]): boolean {
  return new Set(values).size === values.length;
}

const absolutePath = z.string().regex(/^\//, "must be an absolute path");
const dnsLabel = z.string().max(63).regex(DNS1123_LABEL, "must be a DNS-1123 label");
const dnsSubdomain = z.string().max(253).regex(DNS1123_SUBDOMAIN, "must be a DNS-1123 subdomain");
const stringMap = z.record(z.string(), z.string());

const detector = z.strictObject({ enabled: z.boolean().default(true) });

const customDetector = z
  .strictObject({
    name: dnsLabel,
    matchLabels: stringMap.default({}),
    matchAnnotations: stringMap.default({}),
  })
  .refine((d) => Object.keys(d.matchLabels).length + Object.keys(d.matchAnnotations).length > 0, {
    message: "needs at least one matchLabels or matchAnnotations entry",
  });

const dnsOption = z
  .strictObject({
    name: z.string().min(1).regex(/^[^\s:]+$/, "must be a resolver option name"),
    // `value: 3` in YAML is a number; resolver values are strings in the Pod API.
    value: z.union([z.string(), z.number().transform(String)]).optional(),
  })
  .superRefine((option, ctx) => {
    if (option.name !== "ndots") return;
    const n = Number(option.value);
    if (option.value === undefined || !/^\d+$/.test(option.value) || n > 15) {
      ctx.addIssue({ code: "custom", path: ["value"], message: "ndots must be 0..15" });
    }
  });

export const DEFAULT_CA_ENV_VARS = ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "NODE_EXTRA_CA_CERTS"];

/** Debian/Ubuntu, RHEL/Fedora, Alpine, RHEL extracted and SUSE bundle files. */
export const DEFAULT_SYSTEM_BUNDLE_PATHS = [
  "/etc/ssl/certs/ca-certificates.crt",
  "/etc/pki/tls/certs/ca-bundle.crt",
  "/etc/ssl/cert.pem",
  "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
  "/etc/ssl/ca-bundle.pem",
];

export const DEFAULT_DENIED_PATHS = [
  "/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/sbin", "/sys",
  "/usr", "/usr/bin", "/usr/lib", "/usr/sbin", "/var",
];

const caTrust = z.strictObject({
  enabled: z.boolean().default(true),
  configMapName: dnsSubdomain.default("ci-ca-bundle"),
  key: z.string().max(253).regex(CONFIGMAP_KEY, "must be a valid ConfigMap key")
    .refine((key) => key !== "." && !key.startsWith(".."), "must not be . or start with .. (the API server rejects such a subPath)")
    .default("ca-certificates.crt"),
  mountDir: absolutePath.default("/etc/ci-pod-webhook/ca"),
  volumeName: dnsLabel.default("ci-pod-webhook-ca"),
  envVars: z.array(z.string().regex(ENV_NAME, "must be a valid environment variable name")).refine(isUnique, "must not repeat a name").default(DEFAULT_CA_ENV_VARS),
  dockerRegistries: z.array(z.string().regex(REGISTRY_HOST, "must be a registry host, optionally with :port")).default([]),
  overlaySystemPaths: z.boolean().default(false),
  systemBundlePaths: z.array(absolutePath).default(DEFAULT_SYSTEM_BUNDLE_PATHS),
  checkPresence: z.enum(["auto", "true", "false"]).or(z.boolean()).default("auto")
    .transform((v): "auto" | "true" | "false" => (typeof v === "boolean" ? (v ? "true" : "false") : v)),
});

const dns = z.strictObject({
  enabled: z.boolean().default(true),
  options: z.array(dnsOption).refine((options) => isUnique(options.map((o) => o.name)), "must not repeat an option name").default([{ name: "ndots", value: "2" }]),
  override: z.boolean().default(false),
});

const dockerHostAlias = z.strictObject({
  enabled: z.boolean().default(true),
  when: z.enum(["dind", "always"]).default("dind"),
  // No IPv6 zone (`fe80::1%eth0`): Node accepts one, the API server does not.
  ip: z.string().refine((ip) => isIP(ip) !== 0 && !ip.includes("%"), "must be an IPv4 or IPv6 address").default("127.0.0.1"),
  hostnames: z.array(dnsSubdomain).min(1).refine(isUnique, "must not repeat a hostname").default(["docker"]),
});

const buildsDir = z.strictObject({
  enabled: z.boolean().default(true),
  action: z.enum(["deny", "warn"]).default("deny"),
  deniedPaths: z.array(absolutePath).default(DEFAULT_DENIED_PATHS),
  deniedTrees: z.array(absolutePath).default(["/proc", "/sys", "/dev"]),
  allowedPaths: z.array(absolutePath).default(["/dev/shm"]),
});

const server = z.strictObject({
  maxRequestBytes: z.number().int().min(8 * 1024 * 1024, "must be at least 8 MiB (8388608): the API server sends pods up to ~3 MiB plus the review").default(16 * 1024 * 1024),
  headersTimeoutMs: z.number().int().positive().default(10_000),
  requestTimeoutMs: z.number().int().positive().default(30_000),
  keepAliveTimeoutMs: z.number().int().positive().default(120_000),
  shutdownGraceSeconds: z.number().positive().max(600).default(25),
});

const configObject = z.strictObject({
  mode: z.enum(["enforce", "audit"]).default("enforce"),
  honourSkipAnnotation: z.boolean().default(true),
  onInternalError: z.enum(["allow", "deny"]).default("allow"),
  detectors: z.strictObject({
    gitlab: detector.prefault({}),
    jenkins: detector.prefault({}),
    arc: detector.prefault({}),
    tekton: z.strictObject({ enabled: z.boolean().default(true), managedBy: z.string().min(1).default("tekton-pipelines") }).prefault({}),
    custom: z.array(customDetector).default([]),
  }).prefault({}),
  caTrust: caTrust.prefault({}),
  dns: dns.prefault({}),
  dockerHostAlias: dockerHostAlias.prefault({}),
  buildsDir: buildsDir.prefault({}),
  server: server.prefault({}),
});

/** The paths ca-trust mounts, with their field paths: none may be a path the builds-dir guard denies. */
function caMountPaths(config: z.output<typeof configObject>): { path: string; at: (string | number)[] }[] {
  const ca = config.caTrust;
  return [
    { path: ca.mountDir, at: ["caTrust", "mountDir"] },
    ...(ca.overlaySystemPaths ? ca.systemBundlePaths.map((path, i) => ({ path, at: ["caTrust", "systemBundlePaths", i] })) : []),
    ...ca.dockerRegistries.map((registry, i) => ({ path: `/etc/docker/certs.d/${registry}/ca.crt`, at: ["caTrust", "dockerRegistries", i] })),
  ];
}

export const configSchema = configObject.superRefine((config, ctx) => {
  // Otherwise the webhook would mount the CA where its own guard denies the pod on reinvocation.
  if (!config.caTrust.enabled || !config.buildsDir.enabled) return;
  for (const { path, at } of caMountPaths(config)) {
    if (isSystemPath(normaliseMountPath(path), config.buildsDir)) {
      ctx.addIssue({ code: "custom", path: at, message: `${path} is a path the builds-dir guard denies (buildsDir.deniedPaths/deniedTrees)` });
    }
  }
});

/** A complete, validated configuration. Treat as immutable: a reload swaps the whole object. */
export type Config = z.output<typeof configSchema>;
