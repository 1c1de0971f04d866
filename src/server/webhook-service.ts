/**
 * Wiring only: config, certificates, Kubernetes access, logger, audit, metrics, the two listeners and
 * graceful shutdown. Every part is created here and passed down; nothing is a module singleton.
 */
import type { Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createAuditLog } from "../audit/audit-log.js";
import { ConfigStore } from "../config/config-store.js";
import { createAdmissionMetrics } from "../metrics/admission-metrics.js";
import { createLogger, type Logger } from "../log.js";
import { CertSource } from "../tls/cert-source.js";
import { createHttpsServer, swapCertificate } from "./https-server.js";
import { createOpsApp } from "./ops-server.js";
import { createWebhookRouter } from "./router.js";
import type { ServiceOptions } from "./service-options.js";
import { loadInitialConfig, resolveCertFiles, scheduleDevCertRenewal, startKubeIntegration } from "./startup.js";
import { trackInFlight } from "./in-flight.js";

export interface RunningService {
  port: number;
  opsPort: number;
  logger: Logger;
  /** Readiness false, stop accepting, finish in-flight requests (up to the grace period), close. */
  shutdown(reason: string): Promise<void>;
}

export async function startWebhookService(opts: ServiceOptions, logger: Logger = createLogger({ level: opts.logLevel })): Promise<RunningService> {
  const metrics = createAdmissionMetrics();
  const audit = createAuditLog(opts.auditLog);
  const { config: initial, text } = await loadInitialConfig(opts.configPath);
  const configStore = new ConfigStore(initial, opts.configPath, {
    onReload: (result, errors) => {
      metrics.configReloads.inc({ result });
      if (result === "failed") logger.error({ code: "CONFIG_INVALID", errors, path: opts.configPath }, "config reload failed; keeping the last good config");
      if (result === "loaded") logger.info({ path: opts.configPath }, "config reloaded");
    },
  }, text);

  const certFiles = await resolveCertFiles(opts, logger);
  const certSource = new CertSource(certFiles.cert, certFiles.key, {
    onReload: (result, detail) => {
      metrics.certReloads.inc({ result });
      if (detail.notAfter) metrics.certExpiry.set(detail.notAfter / 1000);
      if (result === "failed") logger.error({ error: detail.error }, "certificate reload failed; keeping the last good pair");
    },
  });
  if ((await certSource.reload()) !== "loaded" || !certSource.current) {
    throw new Error(`cannot load the serving certificate: ${certSource.lastError ?? "unknown error"}`);
  }

  const kube = await startKubeIntegration(opts, configStore, certFiles, metrics, logger);
  const stopDevCertRenewal = scheduleDevCertRenewal(opts, certFiles, logger);
  let shuttingDown = false;
  const deps = { config: () => configStore.current(), logger, audit, metrics, ...(kube.caBundlePresent ? { caBundlePresent: kube.caBundlePresent } : {}) };
  const https = createHttpsServer(certSource.current, initial.server, createWebhookRouter(deps, logger));
  const inFlight = trackInFlight(https);
  certSource.watch(opts.reloadInterval * 1000, (pair) => {
    swapCertificate(https, pair);
    logger.info({ notAfter: new Date(pair.notAfter).toISOString() }, "serving certificate reloaded");
  });
  configStore.watch(opts.reloadInterval * 1000);

  const readiness = {
    notReady: (): string[] => [
      ...(shuttingDown ? ["shutting down"] : []),
      ...(certSource.current ? [] : ["certificate"]),
      ...kube.notReady(),
    ],
  };
  const ops = createOpsApp(readiness, metrics).listen(opts.opsPort, opts.host) as HttpServer;
  await Promise.all([listen(https, opts.port, opts.host), onceListening(ops)]);
  const port = (https.address() as AddressInfo).port;
  const opsPort = (ops.address() as AddressInfo).port;
  logger.info({ port, opsPort, host: opts.host, config: opts.configPath ?? "built-in defaults", cert: certFiles.cert }, "ci-pod-webhook serving POST /mutate");

  return {
    port,
    opsPort,
    logger,
    shutdown: async (reason) => {
      if (shuttingDown) return;
      shuttingDown = true;
      logger.info({ reason, inFlight: inFlight.count() }, "shutting down: not ready, draining in-flight requests");
      certSource.stop();
      configStore.stop();
      stopDevCertRenewal();
      const grace = configStore.current().server.shutdownGraceSeconds * 1000;
      const drained = await inFlight.drain(https, grace);
      if (!drained) logger.warn({ inFlight: inFlight.count() }, "grace period over; closing remaining connections");
      await Promise.all([closeServer(ops), kube.stop()]);
      audit.flush();
      logger.info({ reason }, "shut down");
      logger.flush();
    },
  };
}

function listen(server: HttpsServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function onceListening(server: HttpServer): Promise<void> {
  if (server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
}

function closeServer(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
