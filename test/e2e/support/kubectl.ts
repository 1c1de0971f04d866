/** kubectl (for `kustomize` and server-side apply) against a test cluster. */
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { REPO_ROOT } from "../../support/paths.js";
import type { TestCluster } from "../cluster/index.js";

const execFileAsync = promisify(execFile);

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Rejects with what to install when kubectl is not on PATH: the e2e suite needs it and never skips silently. */
export async function requireKubectl(): Promise<void> {
  try {
    await execFileAsync("kubectl", ["version", "--client"], { timeout: 30_000 });
  } catch (err) {
    throw new Error(`the e2e suite needs kubectl on PATH (for kustomize and server-side apply): ${(err as Error).message}`);
  }
}

/** Runs kubectl (with the cluster's kubeconfig when given) in the repository root; never rejects on exit codes. */
export function kubectl(args: string[], opts: { cluster?: TestCluster; input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
  const full = opts.cluster ? ["--kubeconfig", opts.cluster.kubeconfigPath, ...args] : args;
  return new Promise((resolve, reject) => {
    const child = spawn("kubectl", full, { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, KUBECONFIG: "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** Like {@link kubectl}, but rejects (with stderr) unless kubectl exits 0. */
export async function kubectlOk(args: string[], opts: { cluster?: TestCluster; input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
  const result = await kubectl(args, opts);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result;
}

/** `kubectl kustomize <dir>` (dir relative to the repository root, or absolute): the rendered YAML. */
export async function kustomize(dir: string): Promise<string> {
  return (await kubectlOk(["kustomize", dir])).stdout;
}

/** A Kubernetes object as rendered: enough to name it. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** Parses multi-document YAML into objects (empty documents dropped). */
export function parseManifests(text: string): ManifestObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      return doc.toJS() as ManifestObject | null;
    })
    .filter((o): o is ManifestObject => o !== null && typeof o === "object");
}

/** `kind.group/name` as kubectl prints it (`-o name`), lower-case kind. */
export function kubectlName(obj: ManifestObject): string {
  const group = obj.apiVersion.includes("/") ? obj.apiVersion.split("/")[0] : "";
  return `${obj.kind.toLowerCase()}${group ? `.${group}` : ""}/${obj.metadata.name}`;
}

/**
 * Server-side apply with strict field validation (unknown or duplicate fields are errors, not warnings):
 * kubectl's `--validate=strict` sends `fieldValidation=Strict` to an API server that supports it (1.27+).
 * `dryRun` sends `--dry-run=server`; `forceConflicts` takes over fields another manager owns.
 */
export async function applyServerSide(
  cluster: TestCluster,
  manifests: string,
  opts: { dryRun?: boolean; forceConflicts?: boolean } = {},
): Promise<KubectlResult> {
  const args = ["apply", "--server-side", "--validate=strict", "--field-manager=ci-pod-webhook-e2e", "-f", "-"];
  if (opts.dryRun) args.push("--dry-run=server");
  if (opts.forceConflicts) args.push("--force-conflicts");
  return kubectlOk(args, { cluster, input: manifests });
}
