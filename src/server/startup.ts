/** Start-up steps of `serve` that can fail with a message an operator can act on. */
import { readFile } from "node:fs/promises";
import { defaultConfig, parseConfigText } from "../config/load-config.js";
import type { ConfigStore } from "../config/config-store.js";
import type { Config } from "../config/schema.js";
import { findKubeAccess } from "../kube/kube-config.js";
import type { Logger } from "../log.js";
import type { AdmissionMetrics } from "../metrics/admission-metrics.js";
import { defaultDnsNames, ensureDevCerts } from "../tls/dev-certs.js";
import type { ServiceOptions } from "./service-options.js";

export class StartupError extends Error {
  override name = "StartupError";
}

/** The config file, fully validated, or the built-in defaults when no file is given. */
export async function loadInitialConfig(path: string | undefined): Promise<{ config: Config; text?: string }> {
  if (!path) return { config: defaultConfig() };
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new StartupError(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const result = parseConfigText(text, path);
  if (!result.ok) throw new StartupError(`invalid config:\n  ${result.errors.join("\n  ")}`);
  return { config: result.config, text };
}

export interface CertFiles {
  cert: string;
  key: string;
  /** Set for generated dev certificates: the CA to put in a caBundle. */
  caCert?: string;
}

/** The given pair, or dev certificates under the certs dir (generated once, then reused). */
export async function resolveCertFiles(opts: ServiceOptions, logger: Logger): Promise<CertFiles> {
  if (opts.tlsCert || opts.tlsKey) {
    if (!opts.tlsCert || !opts.tlsKey) throw new StartupError("--tls-cert and --tls-key go together: give both or neither");
    return { cert: opts.tlsCert, key: opts.tlsKey };
  }
  const dev = await ensureDevCerts({ dir: opts.certsDir, dnsNames: defaultDnsNames(opts.serviceName, opts.serviceNamespace) });
  logger.info({ ca: dev.caCert, cert: dev.cert, generated: dev.generated }, "using development certificates; trust the CA at this path");
  return { cert: dev.cert, key: dev.key, caCert: dev.caCert };
}

const DEV_CERT_CHECK_MS = 6 * 3_600_000;

/**
 * In dev-certificate mode, re-issues the serving certificate before it expires (the cert source picks up
 * the new files); if the CA itself had to be replaced, registers it again when `--register-webhook` is set.
 */
export function scheduleDevCertRenewal(opts: ServiceOptions, certs: CertFiles, logger: Logger): () => void {
  if (!certs.caCert) return () => undefined;
  const timer = setInterval(() => {
    ensureDevCerts({ dir: opts.certsDir, dnsNames: defaultDnsNames(opts.serviceName, opts.serviceNamespace) })
      .then(async (result) => {
        if (!result.generated) return;
        logger.info({ cert: result.cert, caReplaced: result.caGenerated }, "development serving certificate renewed");
        if (!result.caGenerated || !opts.registerWebhook) return;
        const access = await findKubeAccess(opts.kubeconfig);
        const { registerCaBundle } = await import("../kube/register-webhook.js");
        if (access) await registerCaBundle(access.kc, opts.registerWebhook, await readFile(result.caCert, "utf8"));
      })
      .catch((err: unknown) => logger.error({ err: (err as Error).message }, "renewing the development certificate failed"));
  }, DEV_CERT_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export interface KubeIntegration {
  caBundlePresent?: (namespace: string) => boolean;
  notReady(): string[];
  stop(): Promise<void>;
}

/** CA presence cache (per caTrust.checkPresence) and `--register-webhook`. */
export async function startKubeIntegration(opts: ServiceOptions, store: ConfigStore, certs: CertFiles, metrics: AdmissionMetrics, logger: Logger): Promise<KubeIntegration> {
  const config = store.current();
  const access = await findKubeAccess(opts.kubeconfig);
  if (opts.registerWebhook) {
    if (!access) throw new StartupError("--register-webhook needs Kubernetes API credentials (in-cluster or --kubeconfig)");
    const ca = certs.caCert ? await readFile(certs.caCert, "utf8") : await readFile(certs.cert, "utf8");
    const { registerCaBundle } = await import("../kube/register-webhook.js");
    const patched = await registerCaBundle(access.kc, opts.registerWebhook, ca);
    logger.info({ webhook: opts.registerWebhook, patchedWebhooks: patched }, "caBundle registered");
  }
  const mode = config.caTrust.checkPresence;
  if (mode === "false" || (mode === "auto" && !access)) {
    if (mode === "auto") logger.info("no Kubernetes API credentials: assuming the CA bundle ConfigMap exists in every namespace");
    return { notReady: () => [], stop: async () => undefined };
  }
  if (!access) throw new StartupError("caTrust.checkPresence is true but no Kubernetes API credentials were found (in-cluster or --kubeconfig)");
  logger.info({ source: access.source }, "using Kubernetes API credentials");
  const { CaPresenceCache } = await import("../kube/ca-presence.js");
  const cache = new CaPresenceCache(access.kc, logger);
  const sync = () => {
    const { configMapName, key } = store.current().caTrust;
    cache.start(configMapName, key).then(
      () => metrics.caPresenceSynced.set(1),
      (err: unknown) => {
        logger.warn({ err: (err as Error).message }, "CA bundle presence cache failed to sync; retrying");
        setTimeout(sync, 5_000).unref();
      },
    );
  };
  sync();
  const watcher = setInterval(() => {
    const { configMapName, key } = store.current().caTrust;
    const watching = cache.watching;
    if (watching.name !== configMapName || watching.key !== key) {
      metrics.caPresenceSynced.set(0);
      sync();
    }
  }, 1_000);
  watcher.unref();
  return {
    caBundlePresent: (namespace) => cache.present(namespace),
    notReady: () => (cache.synced ? [] : ["CA bundle presence cache not synced"]),
    stop: async () => {
      clearInterval(watcher);
      await cache.stop();
    },
  };
}
