/** Everything `serve` needs, after flags and environment are read. */
import type { LevelWithSilent } from "pino";

export interface ServiceOptions {
  configPath?: string;
  host: string;
  port: number;
  opsPort: number;
  tlsCert?: string;
  tlsKey?: string;
  certsDir: string;
  logLevel: LevelWithSilent;
  registerWebhook?: string;
  serviceName: string;
  serviceNamespace: string;
  kubeconfig?: string;
  auditLog: string;
  /** How often cert and config files are polled, in seconds. */
  reloadInterval: number;
}
