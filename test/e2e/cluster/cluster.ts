import { appendFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { startApiserver } from "./apiserver.js";
import { registerCleanup, startWatchdog, type CleanupTarget } from "./cleanup.js";
import { startEtcd } from "./etcd.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { createPki } from "./pki.js";
import { freePorts } from "./ports.js";
import type { ManagedProcess } from "./process.js";
import { ensureBinaries, type ControlPlaneBinaries } from "./toolchain.js";
import type { StartClusterOptions, TestCluster } from "./types.js";

const MAX_ATTEMPTS = 3; // a dynamically chosen port can be taken between probe and bind

/**
 * Starts etcd and kube-apiserver on 127.0.0.1 with fresh certificates, dynamic ports and an
 * admin token; resolves once `/readyz` answers 200. Builds the binaries first if needed (see
 * `test/e2e/toolchain/build.sh`; the first build takes 10-25 minutes). No controllers run:
 * use {@link ensureNamespace} to get a namespace pods can be created in. Always call
 * `stop()` (e.g. in an `after` hook); exit/signal hooks and a watchdog also kill the processes
 * if the test process ends without doing so.
 */
export async function startCluster(opts: StartClusterOptions = {}): Promise<TestCluster> {
  const bins = await ensureBinaries(opts.binDir);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(bins, opts);
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !/address already in use/i.test(String(err))) throw err;
    }
  }
}

async function startOnce(bins: ControlPlaneBinaries, opts: StartClusterOptions): Promise<TestCluster> {
  const timeoutMs = opts.readyTimeoutMs ?? 120_000;
  const keepDir = opts.keepDir ?? process.env.CI_POD_WEBHOOK_E2E_KEEP === "1";
  const dir = await mkdtemp(path.join(os.tmpdir(), "ci-pod-webhook-e2e-"));
  const pgidFile = path.join(dir, "pgids");
  const target: CleanupTarget = { pgids: [], dir: keepDir ? null : dir };
  const unregister = registerCleanup(target);
  const stopWatchdog = startWatchdog(pgidFile, target.dir);
  const procs: ManagedProcess[] = [];
  const onSpawn = (proc: ManagedProcess) => {
    procs.unshift(proc); // stop in reverse start order: apiserver first
    target.pgids.push(proc.pid);
    appendFileSync(pgidFile, `${proc.pid}\n`);
  };

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      try {
        for (const proc of procs) await proc.stop();
      } finally {
        stopWatchdog();
        unregister();
        if (!keepDir) await rm(dir, { recursive: true, force: true });
      }
    })());

  try {
    const pki = await createPki(dir);
    const [apiPort, etcdClient, etcdPeer] = (await freePorts(3)) as [number, number, number];
    const etcd = await startEtcd(bins.etcd, dir, { client: etcdClient, peer: etcdPeer }, timeoutMs, onSpawn);
    const apiserver = await startApiserver({
      bin: bins.apiserver,
      dir,
      port: apiPort,
      etcdUrl: etcd.clientUrl,
      pki,
      timeoutMs,
      verbosity: opts.verbosity ?? 1,
      extraArgs: opts.extraApiserverArgs ?? [],
      onSpawn,
    });
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfigPath = path.join(dir, "kubeconfig");
    await writeKubeconfig(kubeconfigPath, server, pki.caCertPem, pki.adminToken);
    return {
      server,
      kubeconfigPath,
      caCertPem: pki.caCertPem,
      ca: { certPem: pki.caCertPem, keyPem: pki.caKeyPem },
      token: pki.adminToken,
      dir,
      pids: { etcd: etcd.process.pid, apiserver: apiserver.pid },
      kubeConfig() {
        const kc = new KubeConfig();
        kc.loadFromFile(kubeconfigPath);
        return kc;
      },
      logs: () => ({ etcd: etcd.process.logFile, apiserver: apiserver.logFile }),
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
