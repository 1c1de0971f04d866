/**
 * deploy/ against the code: the shipped config.yaml is the defaults, every kustomization renders, the e2e
 * overlay is base with only clientConfig changed, and what the manifests repeat from the config (the
 * policy's path lists, the namespace exclusions, the CA bundle ConfigMap) has not drifted.
 * Applying the manifests to a real API server is test/e2e/deploy-manifests.test.ts.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import { promisify } from "node:util";
import { parseAllDocuments, parseDocument } from "yaml";
import { defaultConfig, parseConfigText } from "../../src/config/load-config.js";
import { REPO_ROOT } from "../support/paths.js";

const run = promisify(execFile);
const DEPLOY = path.join(REPO_ROOT, "deploy");

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

function readYaml(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(path.join(DEPLOY, file), "utf8")).map((d) => d.toJS() as K8sObject).filter(Boolean);
}

function find(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.ok(found, `${kind} ${name ?? ""} in the manifests`);
  return found;
}

/** The shipped config.yaml text, from the ConfigMap in deploy/base. */
function shippedConfigText(): string {
  const configMap = find(readYaml("base/configmap.yaml"), "ConfigMap", "ci-pod-webhook-config");
  const text = (configMap.data as Record<string, string>)["config.yaml"];
  assert.equal(typeof text, "string", "data.config.yaml");
  return text!;
}

describe("deploy/base ConfigMap config.yaml", () => {
  test("parses with the strict schema and equals defaultConfig()", () => {
    const result = parseConfigText(shippedConfigText(), "deploy/base/configmap.yaml config.yaml");
    assert.ok(result.ok, !result.ok ? result.errors.join("\n") : "");
    assert.deepStrictEqual(result.config, defaultConfig());
  });

  test("lists every key with its default value (documents them all, nothing left implicit)", () => {
    const raw: unknown = parseDocument(shippedConfigText()).toJS();
    assert.deepStrictEqual(raw, JSON.parse(JSON.stringify(defaultConfig())));
  });
});

describe("deploy/ manifests repeat the config consistently", () => {
  /** `['/a', '/b']` in a CEL expression → ['/a', '/b']. */
  const celStrings = (expression: string) => [...expression.matchAll(/'([^']*)'/g)].map((m) => m[1]!);

  test("the builds-dir policy's path lists are the config's buildsDir defaults", () => {
    const policy = find(readYaml("base/validatingadmissionpolicy.yaml"), "ValidatingAdmissionPolicy");
    const variables = (policy.spec as { variables: { name: string; expression: string }[] }).variables;
    const variable = (name: string) => celStrings(variables.find((v) => v.name === name)?.expression ?? "");
    const { buildsDir } = defaultConfig();
    assert.deepEqual(variable("deniedPaths"), buildsDir.deniedPaths);
    assert.deepEqual(variable("deniedTrees"), buildsDir.deniedTrees);
    assert.deepEqual(variable("allowedPaths"), buildsDir.allowedPaths);
  });

  test("the webhook and the policy binding exclude the same namespaces", () => {
    const webhook = (find(readYaml("base/mutatingwebhookconfiguration.yaml"), "MutatingWebhookConfiguration").webhooks as { namespaceSelector: unknown }[])[0]!;
    const binding = find(readYaml("base/validatingadmissionpolicy.yaml"), "ValidatingAdmissionPolicyBinding");
    assert.deepEqual((binding.spec as { matchResources: { namespaceSelector: unknown } }).matchResources.namespaceSelector, webhook.namespaceSelector);
  });

  test("the trust-manager example produces the ConfigMap and key the webhook mounts", () => {
    const bundle = find(readYaml("examples/trust-manager-bundle.yaml"), "Bundle");
    const { caTrust } = defaultConfig();
    assert.equal(bundle.metadata.name, caTrust.configMapName);
    assert.equal((bundle.spec as { target: { configMap: { key: string } } }).target.configMap.key, caTrust.key);
  });
});

/** Directories under deploy/ holding a kustomization.yaml, relative to deploy/ ("." for deploy/ itself). */
function kustomizationDirs(dir = DEPLOY): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) found.push(...kustomizationDirs(path.join(dir, entry.name)));
    else if (entry.name === "kustomization.yaml") found.push(path.relative(DEPLOY, dir) || ".");
  }
  return found.sort();
}

let kubectlChecked: Promise<string | undefined> | undefined;
/** undefined when kubectl runs, else why not. */
function kubectlMissing(): Promise<string | undefined> {
  return (kubectlChecked ??= run("kubectl", ["version", "--client"], { timeout: 30_000 }).then(
    () => undefined,
    (err: Error) => `kubectl is not on PATH (needed for kustomize): ${err.message.split("\n")[0]}`,
  ));
}

async function kustomize(t: TestContext, dir: string): Promise<K8sObject[] | undefined> {
  const missing = await kubectlMissing();
  if (missing) {
    t.skip(missing);
    return undefined;
  }
  const { stdout } = await run("kubectl", ["kustomize", dir], { maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((d) => d.toJS() as K8sObject).filter(Boolean);
}

/** kind of the kustomization file in `dir` (Kustomization or Component). */
function kustomizationKind(dir: string): string {
  return (parseDocument(readFileSync(path.join(DEPLOY, dir, "kustomization.yaml"), "utf8")).toJS() as { kind?: string }).kind ?? "Kustomization";
}

describe("kubectl kustomize renders every kustomization under deploy/", () => {
  const dirs = kustomizationDirs();

  test("finds the kustomizations deploy/README.md lists", () => {
    for (const dir of [".", "base", "overlays/cert-manager", "overlays/self-signed", "overlays/fail-closed", "overlays/e2e", "components/fail-closed"]) {
      assert.ok(dirs.includes(dir), `deploy/${dir}/kustomization.yaml`);
    }
  });

  for (const dir of dirs) {
    if (kustomizationKind(dir) === "Component") {
      // A Component renders nothing on its own: render it on top of base, where its patch targets are.
      test(`deploy/${dir} (a Component) renders on top of base and changes it`, async (t) => {
        const tmp = await mkdtemp(path.join(os.tmpdir(), "ci-pod-webhook-kustomize-"));
        try {
          const rel = (p: string) => path.relative(tmp, path.join(DEPLOY, p));
          await writeFile(path.join(tmp, "kustomization.yaml"), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [${rel("base")}]\ncomponents: [${rel(dir)}]\n`);
          const withComponent = await kustomize(t, tmp);
          const base = await kustomize(t, path.join(DEPLOY, "base"));
          if (!withComponent || !base) return;
          assert.equal(withComponent.length, base.length);
          assert.notDeepEqual(withComponent, base, "the component's patches applied");
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
      });
      continue;
    }
    test(`deploy/${dir} renders`, async (t) => {
      const objects = await kustomize(t, path.join(DEPLOY, dir));
      if (!objects) return;
      assert.ok(objects.length > 0);
      for (const o of objects) assert.ok(o.apiVersion && o.kind && o.metadata?.name, `every object has apiVersion, kind, name: ${JSON.stringify(o).slice(0, 200)}`);
    });
  }

  test("overlays/e2e differs from base only in the webhook's clientConfig (url and caBundle placeholders)", async (t) => {
    const e2e = await kustomize(t, path.join(DEPLOY, "overlays/e2e"));
    const base = await kustomize(t, path.join(DEPLOY, "base"));
    if (!e2e || !base) return;
    const withoutClientConfig = (objects: K8sObject[]) =>
      objects.map((o) =>
        o.kind === "MutatingWebhookConfiguration"
          ? { ...o, webhooks: (o.webhooks as Record<string, unknown>[]).map(({ clientConfig: _c, ...w }) => w) }
          : o,
      );
    assert.deepEqual(withoutClientConfig(e2e), withoutClientConfig(base));
    const clientConfig = (find(e2e, "MutatingWebhookConfiguration").webhooks as { clientConfig: unknown }[])[0]!.clientConfig;
    assert.deepEqual(clientConfig, { url: "https://127.0.0.1:E2E_WEBHOOK_PORT/mutate", caBundle: "E2E_CA_BUNDLE" });
  });
});
