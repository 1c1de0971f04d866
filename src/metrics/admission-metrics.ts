/** Prometheus metrics, on a registry of their own (no global singleton). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface AdmissionMetrics {
  registry: Registry;
  requests: Counter<"decision" | "system" | "code">;
  duration: Histogram<"decision">;
  mutations: Counter<"mutator">;
  badRequests: Counter<"code">;
  configReloads: Counter<"result">;
  certReloads: Counter<"result">;
  certExpiry: Gauge;
  caPresenceSynced: Gauge;
}

/** 0.5 ms to 10 s: admission is sub-millisecond when healthy; the tail matters up to the API server timeout. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createAdmissionMetrics(opts: { defaultMetrics?: boolean } = {}): AdmissionMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "ci_pod_webhook_" });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({ name: "ci_pod_webhook_admission_requests_total", help: "Admission requests by decision, CI system and code.", labelNames: ["decision", "system", "code"], registers }),
    duration: new Histogram({ name: "ci_pod_webhook_admission_duration_seconds", help: "Time from request received to response written.", labelNames: ["decision"], buckets: DURATION_BUCKETS, registers }),
    mutations: new Counter({ name: "ci_pod_webhook_mutations_total", help: "Mutations applied, by mutator.", labelNames: ["mutator"], registers }),
    badRequests: new Counter({ name: "ci_pod_webhook_bad_requests_total", help: "Requests refused at the HTTP edge, by code.", labelNames: ["code"], registers }),
    configReloads: new Counter({ name: "ci_pod_webhook_config_reloads_total", help: "Config file reloads by result.", labelNames: ["result"], registers }),
    certReloads: new Counter({ name: "ci_pod_webhook_certificate_reloads_total", help: "Serving certificate reloads by result.", labelNames: ["result"], registers }),
    certExpiry: new Gauge({ name: "ci_pod_webhook_certificate_expiry_timestamp_seconds", help: "Expiry of the serving certificate (unix seconds).", registers }),
    caPresenceSynced: new Gauge({ name: "ci_pod_webhook_ca_presence_synced", help: "1 when the CA bundle ConfigMap cache has synced.", registers }),
  };
}
