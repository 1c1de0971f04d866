import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute paths of the control-plane binaries. */
export interface ControlPlaneBinaries {
  dir: string;
  apiserver: string;
  etcd: string;
}

const buildScript = fileURLToPath(new URL("../toolchain/build.sh", import.meta.url));

function binariesIn(dir: string): ControlPlaneBinaries {
  const bins = { dir, apiserver: path.join(dir, "kube-apiserver"), etcd: path.join(dir, "etcd") };
  for (const bin of [bins.apiserver, bins.etcd]) {
    if (!existsSync(bin)) throw new Error(`e2e control plane: ${bin} does not exist`);
  }
  return bins;
}

/**
 * Returns the kube-apiserver and etcd binaries. Uses `binDir` (or env
 * `CI_POD_WEBHOOK_E2E_BIN_DIR`) when given; otherwise runs `test/e2e/toolchain/build.sh`, which
 * is a no-op when its cache is fresh and builds from the Go module proxy otherwise (its
 * progress is forwarded to stderr). Rejects with the script's error when Go is missing.
 */
export async function ensureBinaries(binDir?: string): Promise<ControlPlaneBinaries> {
  const given = binDir ?? process.env.CI_POD_WEBHOOK_E2E_BIN_DIR;
  if (given) return binariesIn(path.resolve(given));

  const child = spawn("bash", [buildScript], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    process.stderr.write(chunk);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) {
    throw new Error(`${buildScript} failed (exit ${code}):\n${stderr.trim().split("\n").slice(-20).join("\n")}`);
  }
  const dir = stdout.trim().split("\n").pop() ?? "";
  return binariesIn(dir);
}
