/** Plain-HTTP operations endpoints: liveness, readiness and Prometheus metrics. No pod data is served here. */
import express, { type Express } from "express";
import type { AdmissionMetrics } from "../metrics/admission-metrics.js";

export interface Readiness {
  /** Names of the conditions that are not met yet; empty when ready. */
  notReady(): string[];
}

export function createOpsApp(readiness: Readiness, metrics: AdmissionMetrics): Express {
  const app = express();
  app.disable("x-powered-by");
  app.get("/livez", (_req, res) => {
    res.type("text/plain").send("ok\n");
  });
  app.get("/readyz", (_req, res) => {
    const missing = readiness.notReady();
    if (missing.length === 0) res.type("text/plain").send("ok\n");
    else res.status(503).type("text/plain").send(`not ready: ${missing.join(", ")}\n`);
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use((_req, res) => {
    res.status(404).type("text/plain").send("not found\n");
  });
  return app;
}
