/** Config files: strict keys, every error at once with its field path, YAML and JSON alike. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { loadConfigFile, parseConfigText, validateConfig } from "../../src/config/load-config.js";
import { configWith } from "../support/config.js";

function errorsOf(value: unknown): string[] {
  const result = validateConfig(value);
  assert.equal(result.ok, false, "expected the config to be rejected");
  return result.ok ? [] : result.errors;
}

describe("config – strict keys", () => {
  const rows: [value: unknown, error: string][] = [
    [{ bogus: true }, "bogus: unknown key"],
    [{ caTrust: { colour: "blue" } }, "caTrust.colour: unknown key"],
    [{ caTrust: { mountdir: "/etc/ca" } }, "caTrust.mountdir: unknown key"],
    [{ detectors: { gitlab: { enable: true } } }, "detectors.gitlab.enable: unknown key"],
    [{ detectors: { circleci: { enabled: true } } }, "detectors.circleci: unknown key"],
    [{ dns: { options: [{ name: "ndots", value: "2", extra: 1 }] } }, "dns.options[0].extra: unknown key"],
    [{ detectors: { custom: [{ name: "x", matchLabels: { a: "b" }, selector: {} }] } }, "detectors.custom[0].selector: unknown key"],
  ];
  for (const [value, error] of rows) {
    test(`config – ${error}`, () => assert.ok(errorsOf(value).includes(error), JSON.stringify(errorsOf(value))));
  }
});

describe("config – field validation with paths", () => {
  const rows: [value: unknown, error: string][] = [
    [{ dns: { options: [{ name: "ndots", value: "16" }] } }, "dns.options[0].value: ndots must be 0..15"],
    [{ dns: { options: [{ name: "ndots", value: "-1" }] } }, "dns.options[0].value: ndots must be 0..15"],
    [{ dns: { options: [{ name: "ndots" }] } }, "dns.options[0].value: ndots must be 0..15"],
    [{ dns: { options: [{ name: "edns0" }, { name: "ndots", value: "two" }] } }, "dns.options[1].value: ndots must be 0..15"],
    [{ dns: { options: [{ name: "bad name" }] } }, "dns.options[0].name: must be a resolver option name"],
    [{ caTrust: { mountDir: "etc/ca" } }, "caTrust.mountDir: must be an absolute path"],
    [{ caTrust: { systemBundlePaths: ["/etc/ssl/cert.pem", "ssl/cert.pem"] } }, "caTrust.systemBundlePaths[1]: must be an absolute path"],
    [{ caTrust: { configMapName: "CA_Bundle" } }, "caTrust.configMapName: must be a DNS-1123 subdomain"],
    [{ caTrust: { volumeName: "ca.bundle" } }, "caTrust.volumeName: must be a DNS-1123 label"],
    [{ caTrust: { key: "ca/bundle.pem" } }, "caTrust.key: must be a valid ConfigMap key"],
    [{ caTrust: { envVars: ["SSL_CERT_FILE", "1BAD"] } }, "caTrust.envVars[1]: must be a valid environment variable name"],
    [{ caTrust: { dockerRegistries: ["https://registry.example.com"] } }, "caTrust.dockerRegistries[0]: must be a registry host, optionally with :port"],
    [{ buildsDir: { deniedTrees: ["proc"] } }, "buildsDir.deniedTrees[0]: must be an absolute path"],
    [{ dockerHostAlias: { ip: "localhost" } }, "dockerHostAlias.ip: must be an IPv4 or IPv6 address"],
    [{ dockerHostAlias: { hostnames: ["Docker_Host"] } }, "dockerHostAlias.hostnames[0]: must be a DNS-1123 subdomain"],
    [{ detectors: { custom: [{ name: "buildkite" }] } }, "detectors.custom[0]: needs at least one matchLabels or matchAnnotations entry"],
    [{ detectors: { custom: [{ name: "Build_Kite", matchLabels: { a: "b" } }] } }, "detectors.custom[0].name: must be a DNS-1123 label"],
  ];
  for (const [value, error] of rows) {
    test(`config – ${error}`, () => assert.ok(errorsOf(value).includes(error), JSON.stringify(errorsOf(value))));
  }
  for (const [path, value] of [["mode", { mode: "loud" }], ["onInternalError", { onInternalError: "ignore" }], ["buildsDir.action", { buildsDir: { action: "block" } }], ["dockerHostAlias.when", { dockerHostAlias: { when: "never" } }], ["server.maxRequestBytes", { server: { maxRequestBytes: 1024 } }], ["honourSkipAnnotation", { honourSkipAnnotation: "yes" }]] as const) {
    test(`config – a bad ${path} is reported under ${path}`, () => {
      assert.ok(errorsOf(value).some((e) => e.startsWith(`${path}: `)), JSON.stringify(errorsOf(value)));
    });
  }
  test("config – ndots 0 and 15 are the valid extremes", () => {
    assert.ok(validateConfig({ dns: { options: [{ name: "ndots", value: "0" }] } }).ok);
    assert.ok(validateConfig({ dns: { options: [{ name: "ndots", value: "15" }] } }).ok);
  });
});

describe("config – all errors at once", () => {
  test("config – every problem in one file is reported, each with its path", () => {
    const errors = errorsOf({
      mode: "loud",
      bogus: true,
      caTrust: { mountDir: "relative/dir", colour: 1 },
      dns: { options: [{ name: "ndots", value: "99" }] },
      dockerHostAlias: { ip: "not-an-ip" },
      buildsDir: { allowedPaths: ["dev/shm"] },
    });
    for (const prefix of ["mode: ", "bogus: unknown key", "caTrust.mountDir: must be an absolute path", "caTrust.colour: unknown key", "dns.options[0].value: ndots must be 0..15", "dockerHostAlias.ip: ", "buildsDir.allowedPaths[0]: must be an absolute path"]) {
      assert.ok(errors.some((e) => e.startsWith(prefix)), `missing ${prefix} in ${JSON.stringify(errors)}`);
    }
    assert.equal(errors.length, 7, JSON.stringify(errors));
  });
  test("config – a wrong type at the root is one clear error", () => {
    assert.deepEqual(parseConfigText("- mode: audit\n").ok, false);
    assert.ok(!validateConfig("audit").ok);
  });
  test("configWith (test helper) – throws listing every error", () => {
    assert.throws(() => configWith({ mode: "loud" as never, caTrust: { mountDir: "x" } }), /mode: [\s\S]*caTrust\.mountDir: must be an absolute path/);
  });
});

describe("config – YAML and JSON", () => {
  const yaml = [
    "# ci-pod-webhook config",
    "mode: audit",
    "caTrust:",
    "  configMapName: corp-ca",
    "  dockerRegistries:",
    "    - registry.example.com:5000",
    "dns:",
    "  options:",
    "    - name: ndots",
    '      value: "1"',
    "    - name: single-request-reopen",
    "detectors:",
    "  custom:",
    "    - name: buildkite",
    "      matchLabels:",
    "        app.kubernetes.io/managed-by: agent-stack-k8s",
    "",
  ].join("\n");
  const json = JSON.stringify({
    mode: "audit",
    caTrust: { configMapName: "corp-ca", dockerRegistries: ["registry.example.com:5000"] },
    dns: { options: [{ name: "ndots", value: "1" }, { name: "single-request-reopen" }] },
    detectors: { custom: [{ name: "buildkite", matchLabels: { "app.kubernetes.io/managed-by": "agent-stack-k8s" } }] },
  });

  test("config – YAML and the equivalent JSON give the same config", () => {
    const fromYaml = parseConfigText(yaml, "config.yaml");
    const fromJson = parseConfigText(json, "config.json");
    assert.ok(fromYaml.ok, !fromYaml.ok ? fromYaml.errors.join("; ") : "");
    assert.ok(fromJson.ok, !fromJson.ok ? fromJson.errors.join("; ") : "");
    assert.deepStrictEqual(fromYaml.ok && fromYaml.config, fromJson.ok && fromJson.config);
    assert.equal(fromYaml.ok && fromYaml.config.caTrust.key, "ca-certificates.crt");
  });
  test("config – caTrust.checkPresence accepts YAML booleans and strings alike", () => {
    for (const [text, expected] of [["true", "true"], ["false", "false"], ['"auto"', "auto"], ['"true"', "true"]] as const) {
      const result = parseConfigText(`caTrust:\n  checkPresence: ${text}\n`);
      assert.equal(result.ok && result.config.caTrust.checkPresence, expected, text);
    }
  });
  test("config – invalid YAML is reported with the source name, not thrown", () => {
    const result = parseConfigText("mode: [audit\n", "/etc/ci-pod-webhook/config.yaml");
    assert.ok(!result.ok);
    assert.ok(!result.ok && result.errors[0]?.startsWith("/etc/ci-pod-webhook/config.yaml: not valid YAML"));
  });
  test("config – duplicate keys are an error, not last-one-wins", () => {
    const result = parseConfigText("mode: audit\nmode: enforce\n");
    assert.equal(result.ok, false);
  });
  test("config – YAML errors carry field paths too", () => {
    const result = parseConfigText("caTrust:\n  mountDir: etc/ca\n  colour: blue\n");
    assert.deepEqual(!result.ok && [...result.errors].sort(), ["caTrust.colour: unknown key", "caTrust.mountDir: must be an absolute path"]);
  });
});

describe("config – files", () => {
  const dir = mkdtempSync(join(tmpdir(), "ci-pod-webhook-config-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("loadConfigFile – reads and validates a YAML file", async () => {
    const file = join(dir, "config.yaml");
    writeFileSync(file, "mode: audit\n");
    const result = await loadConfigFile(file);
    assert.equal(result.ok && result.config.mode, "audit");
  });
  test("loadConfigFile – an invalid file names the file in its errors", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "mode: [\n");
    const result = await loadConfigFile(file);
    assert.ok(!result.ok && result.errors.every((e) => e.startsWith(file)));
  });
  test("loadConfigFile – a missing file is an error result with the errno code, never a throw", async () => {
    const result = await loadConfigFile(join(dir, "missing.yaml"));
    assert.ok(!result.ok && /ENOENT/.test(result.errors[0] ?? ""));
  });
});
