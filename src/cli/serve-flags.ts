/** `serve` flags; each also readable from `CI_POD_WEBHOOK_<FLAG>` (flag wins over env, env over default). */
import { parseArgs } from "node:util";
import type { LevelWithSilent } from "pino";
import type { ServiceOptions } from "../server/service-options.js";

export const SERVE_FLAGS = {
  config: { type: "string", help: "config file (YAML or JSON); built-in defaults when absent" },
  port: { type: "string", default: "8443", help: "HTTPS port for POST /mutate" },
  "ops-port": { type: "string", default: "8080", help: "plain HTTP port for /livez, /readyz, /metrics" },
  host: { type: "string", default: "0.0.0.0", help: "address to bind both listeners to" },
  "tls-cert": { type: "string", help: "serving certificate (PEM); reloaded when the file changes" },
  "tls-key": { type: "string", help: "serving key (PEM)" },
  "certs-dir": { type: "string", default: "certs", help: "where dev certificates are generated when no pair is given" },
  "log-level": { type: "string", default: "info", help: "fatal, error, warn, info, debug, trace or silent" },
  "register-webhook": { type: "string", help: "patch this MutatingWebhookConfiguration's caBundle at start" },
  "service-name": { type: "string", default: "ci-pod-webhook", help: "Service name for dev certificate SANs" },
  "service-namespace": { type: "string", default: "ci-pod-webhook", help: "Service namespace for dev certificate SANs" },
  kubeconfig: { type: "string", help: "kubeconfig for API access outside a cluster" },
  "audit-log": { type: "string", default: "-", help: "audit log destination: - for stdout, or a file path" },
  "reload-interval": { type: "string", default: "5", help: "seconds between polls of the cert and config files" },
} as const;

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export function envName(flag: string): string {
  return `CI_POD_WEBHOOK_${flag.toUpperCase().replaceAll("-", "_")}`;
}

/** Parses argv (after `serve`); throws an Error with a user-facing message on bad input. */
export function parseServeFlags(argv: string[], env: NodeJS.ProcessEnv): ServiceOptions {
  const options = Object.fromEntries(Object.entries(SERVE_FLAGS).map(([name, spec]) => [name, { type: spec.type }]));
  const { values } = parseArgs({ args: argv, options: options as Record<string, { type: "string" }>, strict: true, allowPositionals: false });
  const get = (flag: keyof typeof SERVE_FLAGS): string | undefined => {
    const spec = SERVE_FLAGS[flag];
    return values[flag] ?? env[envName(flag)] ?? ("default" in spec ? spec.default : undefined);
  };
  const logLevel = get("log-level") ?? "info";
  if (!LEVELS.includes(logLevel)) throw new Error(`--log-level must be one of ${LEVELS.join(", ")}`);
  const reloadInterval = Number(get("reload-interval"));
  if (!(reloadInterval > 0)) throw new Error("--reload-interval must be a positive number of seconds");
  return {
    ...optional("configPath", get("config")),
    host: get("host") ?? "0.0.0.0",
    port: port("--port", get("port")),
    opsPort: port("--ops-port", get("ops-port")),
    ...optional("tlsCert", get("tls-cert")),
    ...optional("tlsKey", get("tls-key")),
    certsDir: get("certs-dir") ?? "certs",
    logLevel: logLevel as LevelWithSilent,
    ...optional("registerWebhook", get("register-webhook")),
    serviceName: get("service-name") ?? "ci-pod-webhook",
    serviceNamespace: get("service-namespace") ?? "ci-pod-webhook",
    ...optional("kubeconfig", get("kubeconfig")),
    auditLog: get("audit-log") ?? "-",
    reloadInterval,
  };
}

function port(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} must be a port number 0..65535 (0 picks a free port)`);
  return n;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || value === "" ? {} : ({ [key]: value } as Record<K, string>);
}
