/**
 * The plain-HTTP ops port (/livez, /readyz, /metrics) and the transport rules of the webhook port:
 * HTTPS only, TLS 1.2 minimum, the certificate checked by name.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Pod } from "../../src/k8s/pod.js";
import { CleanupStack, startInProcess, type InProcessServer } from "../support/server-process.js";
import {
  httpsCall, loadSharedFixture, metricValue, opsCall, podReview, postReview, SHARED_FIXTURE_NAMES, type TlsTarget,
} from "../support/tls-client.js";

/** Strings from the fixtures that must never be served on the ops port: names, namespaces, env values. */
function podStrings(pod: Pod): string[] {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const env = containers.flatMap((c) => (c.env ?? []).map((e) => e.value ?? "")).filter((v) => v.length >= 8);
  return [pod.metadata?.name ?? "", pod.metadata?.generateName ?? "", ...env].filter((s) => s.length >= 8);
}

describe("ops port and transport", () => {
  const cleanup = new CleanupStack();
  let server: InProcessServer;
  let target: TlsTarget;
  before(async () => {
    server = await startInProcess(cleanup);
    target = { port: server.port, ca: server.ca };
    for (const name of SHARED_FIXTURE_NAMES) await postReview(target, podReview(loadSharedFixture(name)));
  });
  after(() => cleanup.run());

  test("/livez – 200", async () => {
    const reply = await opsCall(server.opsPort, "/livez");
    assert.equal(reply.status, 200);
  });

  test("/readyz – 200 once certificate and config are loaded", async () => {
    const reply = await opsCall(server.opsPort, "/readyz");
    assert.equal(reply.status, 200, reply.text);
  });

  test("/metrics – requests, latency buckets 0.5 ms..10 s, mutations, certificate expiry, reload counters", async () => {
    const reply = await opsCall(server.opsPort, "/metrics");
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers["content-type"]), /^text\/plain/);
    const text = reply.text;
    assert.equal(metricValue(text, "ci_pod_webhook_admission_requests_total", { decision: "mutated", system: "gitlab" }), 1);
    assert.equal(metricValue(text, "ci_pod_webhook_admission_requests_total", { decision: "denied", code: "BUILDS_DIR_SYSTEM_PATH" }), 1);
    assert.equal(metricValue(text, "ci_pod_webhook_admission_requests_total", { decision: "skipped", system: "none" }), 1);
    assert.equal(metricValue(text, "ci_pod_webhook_admission_requests_total"), 6);
    assert.match(text, /^ci_pod_webhook_admission_duration_seconds_bucket\{le="0\.0005",decision="mutated"\} \d+$/m);
    assert.match(text, /^ci_pod_webhook_admission_duration_seconds_bucket\{le="10",decision="mutated"\} 4$/m);
    assert.equal(metricValue(text, "ci_pod_webhook_mutations_total", { mutator: "ca-trust" }), 4);
    assert.equal(metricValue(text, "ci_pod_webhook_mutations_total", { mutator: "dns" }), 4);
    assert.equal(metricValue(text, "ci_pod_webhook_mutations_total", { mutator: "docker-host-alias" }), 3, "gitlab already had its alias");
    const cert = new X509Certificate(readFileSync(join(server.dir, "certs", "tls.crt")));
    assert.equal(metricValue(text, "ci_pod_webhook_certificate_expiry_timestamp_seconds"), Date.parse(cert.validTo) / 1000);
    assert.equal(metricValue(text, "ci_pod_webhook_certificate_reloads_total", { result: "loaded" }), 1);
    assert.match(text, /^# TYPE ci_pod_webhook_config_reloads_total counter$/m);
    assert.match(text, /^# TYPE ci_pod_webhook_certificate_reloads_total counter$/m);
  });

  test("the ops port serves no pod data: no pod name or env value on any path", async () => {
    const secrets = SHARED_FIXTURE_NAMES.flatMap((name) => podStrings(loadSharedFixture(name)));
    assert.ok(secrets.length > 50);
    for (const path of ["/metrics", "/livez", "/readyz", "/", "/debug", "/mutate", "/audit", "/metrics?name[]=x"]) {
      const reply = await opsCall(server.opsPort, path);
      for (const secret of secrets) assert.ok(!reply.text.includes(secret), `${path} leaks ${secret.slice(0, 12)}…`);
    }
  });

  test("POST /mutate on the ops port – 404, not admitted", async () => {
    const reply = await opsCall(server.opsPort, "/mutate", "POST", JSON.stringify(podReview(loadSharedFixture("gitlab-attach-dind"))));
    assert.equal(reply.status, 404);
    assert.ok(!reply.text.includes("AdmissionReview"));
  });

  test("plain HTTP to the TLS port – fails, no HTTP answer", async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: "127.0.0.1", port: server.port, path: "/mutate", method: "POST", agent: false, timeout: 5_000, headers: { "Content-Type": "application/json" } }, (res) => {
        res.resume();
        resolve(`HTTP ${res.statusCode}`);
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.end("{}");
    });
    assert.ok(!outcome.startsWith("HTTP 2"), `plain HTTP was answered: ${outcome}`);
    assert.match(outcome, /ECONNRESET|socket hang up|HPE_|HTTP 400/);
  });

  test("a TLS 1.1 client is refused by the server", async () => {
    // SECLEVEL=0 so the client's own OpenSSL is willing to speak TLS 1.1: the refusal must come from the server.
    const err = await httpsCall(target, { method: "GET", tls: { minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" } }).then(
      (r) => assert.fail(`TLS 1.1 was accepted: HTTP ${r.status}`),
      (e: NodeJS.ErrnoException) => e,
    );
    assert.match(`${err.code} ${err.message}`, /ALERT_PROTOCOL_VERSION|protocol version|UNSUPPORTED_PROTOCOL/i);
  });

  for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
    test(`a ${version} client is served`, async () => {
      const reply = await httpsCall(target, { method: "GET", tls: { minVersion: version, maxVersion: version } });
      assert.equal(reply.status, 405);
    });
  }

  test("the certificate is checked by name: a wrong SNI name fails, the service names and the IP SAN pass", async () => {
    await assert.rejects(httpsCall({ ...target, servername: "evil.example.com" }, { method: "GET" }), /ERR_TLS_CERT_ALTNAME_INVALID|does not match|altnames/i);
    for (const servername of ["ci-pod-webhook.ci-pod-webhook.svc", "ci-pod-webhook.ci-pod-webhook.svc.cluster.local", "localhost", null]) {
      const reply = await httpsCall({ ...target, servername }, { method: "GET" });
      assert.equal(reply.status, 405, String(servername));
    }
  });

  test("a client that does not trust the CA fails verification", async () => {
    const { generateDevCerts } = await import("../../src/tls/dev-certs.js");
    const other = await generateDevCerts(["localhost"], ["127.0.0.1"]);
    await assert.rejects(httpsCall({ ...target, ca: other.caCert }, { method: "GET" }), (e: NodeJS.ErrnoException) => /SIGNATURE|ISSUER|self.signed|verify/i.test(`${e.code} ${e.message}`));
  });
});
