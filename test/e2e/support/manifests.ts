/** deploy/ rendered for the test cluster, as deploy/overlays/e2e/README.md describes. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../../support/paths.js";
import { kustomize } from "./kubectl.js";

export const DEPLOY_DIR = path.join(REPO_ROOT, "deploy");
export const WEBHOOK_CONFIG_NAME = "ci-pod-webhook";
export const WEBHOOK_NAME = "ci-pods.ci-pod-webhook.io";
export const POLICY_NAME = "ci-pod-webhook-builds-dir";

/**
 * Renders a throw-away kustomization (in a temp dir, so nothing in the repository changes) with the
 * given resources and components, paths relative to `deploy/`. This is how a user combines them.
 */
export async function kustomizeComposed(resources: string[], components: string[] = []): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "ci-pod-webhook-kustomize-"));
  try {
    const rel = (p: string) => path.relative(dir, path.join(DEPLOY_DIR, p));
    const lines = [
      "apiVersion: kustomize.config.k8s.io/v1beta1",
      "kind: Kustomization",
      "resources:",
      ...resources.map((r) => `  - ${rel(r)}`),
      ...(components.length > 0 ? ["components:", ...components.map((c) => `  - ${rel(c)}`)] : []),
    ];
    await writeFile(path.join(dir, "kustomization.yaml"), lines.join("\n") + "\n");
    return await kustomize(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface E2eRenderOptions {
  /** Port of the webhook on 127.0.0.1. */
  port: number;
  /** PEM CA for the caBundle; omit to delete the `caBundle` line (the webhook registers it: --register-webhook). */
  caPem?: string;
  /** Components under deploy/ to add, e.g. `components/fail-closed`. */
  components?: string[];
}

/** `deploy/overlays/e2e` with its two placeholders replaced (each must occur exactly once). */
export async function renderE2eOverlay(opts: E2eRenderOptions): Promise<string> {
  let text = opts.components?.length ? await kustomizeComposed(["overlays/e2e"], opts.components) : await kustomize(path.join(DEPLOY_DIR, "overlays/e2e"));
  for (const token of ["E2E_WEBHOOK_PORT", "E2E_CA_BUNDLE"]) {
    if (text.split(token).length !== 2) throw new Error(`expected exactly one ${token} in deploy/overlays/e2e`);
  }
  text = text.replace("E2E_WEBHOOK_PORT", String(opts.port));
  if (opts.caPem === undefined) {
    const lines = text.split("\n");
    const withBundle = lines.filter((l) => /^\s*caBundle: E2E_CA_BUNDLE\s*$/.test(l));
    if (withBundle.length !== 1) throw new Error("expected the line `caBundle: E2E_CA_BUNDLE` in deploy/overlays/e2e");
    text = lines.filter((l) => !withBundle.includes(l)).join("\n");
  } else {
    text = text.replace("E2E_CA_BUNDLE", Buffer.from(opts.caPem).toString("base64"));
  }
  if (text.includes("E2E_")) throw new Error("unreplaced E2E_ placeholder in deploy/overlays/e2e");
  return text;
}
