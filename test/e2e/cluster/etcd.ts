import { mkdir } from "node:fs/promises";
import path from "node:path";
import { startProcess, type ManagedProcess } from "./process.js";
import { httpGet, waitUntilReady } from "./readiness.js";

/** A running single-member etcd. */
export interface EtcdInstance {
  process: ManagedProcess;
  /** Client URL, e.g. `http://127.0.0.1:40001`. */
  clientUrl: string;
}

/**
 * Starts a single-member etcd on 127.0.0.1 (plain HTTP, fsync disabled; data in
 * `<dir>/etcd-data`, log in `<dir>/etcd.log`) and waits for `/health`. `onSpawn` is called
 * right after the process is spawned (to register it for cleanup).
 */
export async function startEtcd(
  bin: string,
  dir: string,
  ports: { client: number; peer: number },
  timeoutMs: number,
  onSpawn: (proc: ManagedProcess) => void,
): Promise<EtcdInstance> {
  const dataDir = path.join(dir, "etcd-data");
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const clientUrl = `http://127.0.0.1:${ports.client}`;
  const peerUrl = `http://127.0.0.1:${ports.peer}`;
  const args = [
    "--name=e2e",
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`, // set explicitly, or etcd binds the fixed port 2380
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=e2e=${peerUrl}`,
    "--initial-cluster-state=new",
    "--unsafe-no-fsync=true",
    "--log-level=warn",
  ];
  const proc = startProcess("etcd", bin, args, path.join(dir, "etcd.log"), dir);
  onSpawn(proc);
  try {
    await waitUntilReady("etcd", proc, timeoutMs, async () => {
      const res = await httpGet(`${clientUrl}/health`, { timeoutMs: 2_000 });
      return res.status === 200 && /"health":\s*"true"/.test(res.body);
    });
  } catch (err) {
    await proc.stop(2_000);
    throw err;
  }
  return { process: proc, clientUrl };
}
