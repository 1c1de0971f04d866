import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { ClusterPki } from "./pki.js";
import { startProcess, type ManagedProcess } from "./process.js";
import { httpGet, waitUntilReady } from "./readiness.js";

/** Settings for {@link startApiserver}. */
export interface ApiserverConfig {
  bin: string;
  dir: string;
  port: number;
  etcdUrl: string;
  pki: ClusterPki;
  timeoutMs: number;
  verbosity: number;
  extraArgs: string[];
  /** Called right after the process is spawned (to register it for cleanup). */
  onSpawn: (proc: ManagedProcess) => void;
}

/**
 * The kube-apiserver command line: loopback only, token + client-cert authn, RBAC, the
 * default admission plugin set (NamespaceLifecycle, ServiceAccount, MutatingAdmissionWebhook,
 * ValidatingAdmissionPolicy, ValidatingAdmissionWebhook, ...), no controllers.
 */
export function apiserverArgs(cfg: ApiserverConfig): string[] {
  const { files } = cfg.pki;
  return [
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${cfg.port}`,
    `--cert-dir=${path.join(cfg.dir, "apiserver-certs")}`, // unused (certs given), but keep it out of /var/run
    `--etcd-servers=${cfg.etcdUrl}`,
    `--tls-cert-file=${files.servingCert}`,
    `--tls-private-key-file=${files.servingKey}`,
    `--client-ca-file=${files.caCert}`,
    `--token-auth-file=${files.tokenCsv}`,
    "--authorization-mode=RBAC",
    "--anonymous-auth=true", // default; lets /readyz, /livez and /version be probed without creds
    "--service-cluster-ip-range=10.96.0.0/16",
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${files.saPublicKey}`,
    `--service-account-signing-key-file=${files.saSigningKey}`,
    "--enable-priority-and-fairness=false",
    "--allow-privileged=true",
    // The endpoints of Service default/kubernetes may not be loopback: skip reconciling them.
    "--endpoint-reconciler-type=none",
    "--profiling=false",
    `--v=${cfg.verbosity}`,
    ...cfg.extraArgs,
  ];
}

/** Starts kube-apiserver (log in `<dir>/kube-apiserver.log`) and waits for `/readyz` to return 200. */
export async function startApiserver(cfg: ApiserverConfig): Promise<ManagedProcess> {
  await mkdir(path.join(cfg.dir, "apiserver-certs"), { recursive: true });
  const logFile = path.join(cfg.dir, "kube-apiserver.log");
  const proc = startProcess("kube-apiserver", cfg.bin, apiserverArgs(cfg), logFile, cfg.dir);
  cfg.onSpawn(proc);
  const readyz = `https://127.0.0.1:${cfg.port}/readyz`;
  try {
    await waitUntilReady("kube-apiserver", proc, cfg.timeoutMs, async () => {
      const res = await httpGet(readyz, { ca: cfg.pki.caCertPem, token: cfg.pki.adminToken });
      return res.status === 200;
    });
  } catch (err) {
    await proc.stop(2_000);
    throw err;
  }
  return proc;
}
