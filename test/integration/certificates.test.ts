/**
 * Serving certificates: dev certificates generated and reused, a given pair rotated while requests flow,
 * bad new pairs refused (the last good pair stays), Secret-style symlink swaps, and missing files at start.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanupFor, runCli, sleep, startInProcess, tempDir, waitFor, type InProcessServer } from "../support/server-process.js";
import {
  generateTestPki, httpsCall, loadSharedFixture, metricValue, opsCall, podReview, postReview, SERVICE_NAME, type TestPki, type TlsTarget,
} from "../support/tls-client.js";

type Pems = TestPki;
const NAMES = [SERVICE_NAME, `${SERVICE_NAME}.cluster.local`, "localhost"];

function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** Writes a file by rename, so a poll never reads half of it. */
function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

async function servedFingerprint(target: TlsTarget): Promise<string> {
  const reply = await httpsCall(target, { method: "GET" });
  assert.ok(reply.peer, "peer certificate");
  return reply.peer.fingerprint256;
}

async function metrics(server: InProcessServer): Promise<string> {
  return (await opsCall(server.opsPort, "/metrics")).text;
}

describe("dev certificates", () => {
  test("generated under --certs-dir when no pair is given: SANs localhost, 127.0.0.1, the service names; CA path logged", async (t) => {
    const server = await startInProcess(cleanupFor(t));
    const pem = readFileSync(join(server.dir, "certs", "tls.crt"), "utf8");
    const sans = new X509Certificate(pem).subjectAltName ?? "";
    for (const san of ["DNS:localhost", "IP Address:127.0.0.1", "DNS:ci-pod-webhook.ci-pod-webhook.svc", "DNS:ci-pod-webhook.ci-pod-webhook.svc.cluster.local"]) {
      assert.ok(sans.includes(san), `${san} in ${sans}`);
    }
    assert.ok(new X509Certificate(pem).checkIssued(new X509Certificate(server.ca)), "signed by the dev CA");
    const logged = server.logs.find((r) => typeof r.ca === "string");
    assert.equal(logged?.ca, join(server.dir, "certs", "ca.crt"));
    assert.equal(logged?.generated, true);
    // Verified like the API server: the CA as caBundle, the service name as SNI; also by IP SAN.
    const reply = await postReview({ port: server.port, ca: server.ca }, podReview(loadSharedFixture("gitlab-attach-dind")));
    assert.equal(reply.review.response.patchType, "JSONPatch");
    assert.equal((await httpsCall({ port: server.port, ca: server.ca, servername: null }, { method: "GET" })).status, 405);
  });

  test("reused on the next start: the same bytes, logged as not generated", async (t) => {
    const cleanup = cleanupFor(t);
    const dir = tempDir(cleanup);
    const first = await startInProcess(cleanup, { dir });
    const files = ["ca.crt", "ca.key", "tls.crt", "tls.key"].map((f) => readFileSync(join(dir, "certs", f)));
    await first.stop();
    const second = await startInProcess(cleanup, { dir });
    ["ca.crt", "ca.key", "tls.crt", "tls.key"].forEach((f, i) => assert.ok(readFileSync(join(dir, "certs", f)).equals(files[i] as Buffer), `${f} unchanged`));
    assert.equal(second.logs.find((r) => typeof r.ca === "string")?.generated, false);
    assert.equal((await httpsCall({ port: second.port, ca: files[0] as Buffer }, { method: "GET" })).status, 405);
  });

  test("regenerated when the service name changes (the old certificate lacks the new SAN)", async (t) => {
    const cleanup = cleanupFor(t);
    const dir = tempDir(cleanup);
    const first = await startInProcess(cleanup, { dir });
    await first.stop();
    const second = await startInProcess(cleanup, { dir, options: { serviceName: "hook", serviceNamespace: "ci" } });
    assert.equal(second.logs.find((r) => typeof r.ca === "string")?.generated, true);
    assert.equal((await httpsCall({ port: second.port, ca: second.ca, servername: "hook.ci.svc" }, { method: "GET" })).status, 405);
  });
});

describe("a given pair (--tls-cert/--tls-key)", () => {
  async function startWithPair(t: Parameters<typeof cleanupFor>[0], pems: Pems): Promise<{ server: InProcessServer; certPath: string; keyPath: string }> {
    const cleanup = cleanupFor(t);
    const dir = tempDir(cleanup);
    const certPath = join(dir, "tls.crt");
    const keyPath = join(dir, "tls.key");
    writeFileSync(certPath, pems.cert);
    writeFileSync(keyPath, pems.key);
    const server = await startInProcess(cleanup, { dir, options: { tlsCert: certPath, tlsKey: keyPath } });
    return { server, certPath, keyPath };
  }

  test("rotation while requests flow: new connections switch to the new pair; no request fails except on the CA change", async (t) => {
    const [a, b] = await Promise.all([generateTestPki(NAMES), generateTestPki(NAMES)]);
    const { server, certPath, keyPath } = await startWithPair(t, a);
    assert.equal(await servedFingerprint({ port: server.port, ca: a.caCert }), fingerprint(a.cert));

    // Two request loops on fresh connections: one trusts both CAs (a caBundle during rotation), one only the old CA.
    const body = podReview(loadSharedFixture("jenkins-agent-dind"));
    const both: { at: number; fp?: string; error?: string }[] = [];
    const oldOnly: { at: number; ok: boolean; error?: string }[] = [];
    let swappedAt = Number.POSITIVE_INFINITY;
    let running = true;
    const loopBoth = (async () => {
      while (running) {
        const at = Date.now();
        try {
          const reply = await postReview({ port: server.port, ca: [a.caCert, b.caCert] }, body);
          assert.equal(reply.review.response.patchType, "JSONPatch");
          both.push({ at, fp: reply.peer?.fingerprint256 ?? "" });
        } catch (err) {
          both.push({ at, error: String(err) });
        }
      }
    })();
    const loopOld = (async () => {
      while (running) {
        // `at` is when the outcome arrived: a handshake that saw the new pair ended after the files changed.
        try {
          await postReview({ port: server.port, ca: a.caCert }, body);
          oldOnly.push({ at: Date.now(), ok: true });
        } catch (err) {
          oldOnly.push({ at: Date.now(), ok: false, error: `${(err as NodeJS.ErrnoException).code} ${(err as Error).message}` });
        }
      }
    })();
    try {
      await waitFor(() => both.filter((r) => r.fp === fingerprint(a.cert)).length >= 5 && oldOnly.some((r) => r.ok), "requests served with the old pair");
      swappedAt = Date.now();
      writeAtomic(keyPath, b.key);
      writeAtomic(certPath, b.cert);
      await waitFor(() => both.filter((r) => r.fp === fingerprint(b.cert)).length >= 5 && oldOnly.some((r) => !r.ok), "requests served with the new pair");
    } finally {
      running = false;
      await Promise.all([loopBoth, loopOld]);
    }

    assert.deepEqual(both.filter((r) => r.error), [], "no request trusting both CAs failed");
    assert.ok(both.every((r) => r.fp === fingerprint(a.cert) || r.fp === fingerprint(b.cert)));
    const oldFailures = oldOnly.filter((r) => !r.ok);
    assert.ok(oldFailures.length > 0, "old-CA-only clients fail after the switch");
    for (const f of oldFailures) {
      assert.match(f.error ?? "", /SIGNATURE|verify|ISSUER/i, "the only failures are the expected CA change");
      assert.ok(f.at >= swappedAt, "no old-CA failure before the new pair was written");
    }
    assert.ok(oldOnly.some((r) => r.ok && r.at < swappedAt), "old-CA clients succeeded before the switch");

    // After the poll: new connections verify only with the new CA.
    await assert.rejects(httpsCall({ port: server.port, ca: a.caCert }, { method: "GET" }));
    assert.equal(await servedFingerprint({ port: server.port, ca: b.caCert }), fingerprint(b.cert));
    const text = await metrics(server);
    assert.ok(metricValue(text, "ci_pod_webhook_certificate_reloads_total", { result: "loaded" }) >= 2);
    assert.equal(metricValue(text, "ci_pod_webhook_certificate_expiry_timestamp_seconds"), Date.parse(new X509Certificate(b.cert).validTo) / 1000);
    assert.ok(server.logs.find((r) => r.msg === "serving certificate reloaded"));
  });

  test("a broken new pair (mismatched key, then garbage) keeps the last good pair and counts result=failed", async (t) => {
    const [a, b, c] = await Promise.all([generateTestPki(NAMES), generateTestPki(NAMES), generateTestPki(NAMES)]);
    const { server, certPath, keyPath } = await startWithPair(t, a);
    const target = { port: server.port, ca: a.caCert };
    const failed = async () => metricValue(await metrics(server), "ci_pod_webhook_certificate_reloads_total", { result: "failed" });
    assert.equal(await failed(), 0);

    writeAtomic(certPath, b.cert); // b's certificate with a's key
    await waitFor(async () => (await failed()) >= 1, "a failed reload (mismatched key)");
    assert.ok(server.logs.find((r) => r.msg === "certificate reload failed; keeping the last good pair" && /does not match/.test(String(r.error))));
    assert.equal(await servedFingerprint(target), fingerprint(a.cert), "still serving the last good pair");
    assert.equal((await postReview(target, podReview(loadSharedFixture("gitlab-attach-dind")))).status, 200);
    const once = await failed();
    await sleep(500); // five polls of the same broken files
    assert.equal(await failed(), once, "the same broken pair is counted (and logged) once, not on every poll");

    const before = await failed();
    writeAtomic(certPath, "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
    writeAtomic(keyPath, "not a key at all");
    await waitFor(async () => (await failed()) > before, "a failed reload (garbage)");
    assert.equal(await servedFingerprint(target), fingerprint(a.cert), "still serving the last good pair");
    assert.equal((await opsCall(server.opsPort, "/readyz")).status, 200, "a bad reload does not make the webhook unready");

    writeAtomic(keyPath, c.key);
    writeAtomic(certPath, c.cert);
    await waitFor(async () => (await servedFingerprint({ port: server.port, ca: [a.caCert, c.caCert] })) === fingerprint(c.cert), "the fixed pair to be served");
  });

  test("a Secret-style symlink swap (..data -> new timestamped dir) is picked up", async (t) => {
    const [a, b] = await Promise.all([generateTestPki(NAMES), generateTestPki(NAMES)]);
    const cleanup = cleanupFor(t);
    const dir = tempDir(cleanup);
    const mount = join(dir, "tls");
    const writeVersion = (name: string, pems: Pems) => {
      mkdirSync(join(mount, name), { recursive: true });
      writeFileSync(join(mount, name, "tls.crt"), pems.cert);
      writeFileSync(join(mount, name, "tls.key"), pems.key);
    };
    writeVersion("..2026_11_26_09_00_00.000000001", a);
    symlinkSync("..2026_11_26_09_00_00.000000001", join(mount, "..data"));
    symlinkSync("..data/tls.crt", join(mount, "tls.crt"));
    symlinkSync("..data/tls.key", join(mount, "tls.key"));
    const server = await startInProcess(cleanup, { dir, options: { tlsCert: join(mount, "tls.crt"), tlsKey: join(mount, "tls.key") } });
    assert.equal(await servedFingerprint({ port: server.port, ca: a.caCert }), fingerprint(a.cert));

    // What the kubelet does: write the new version, point ..data_tmp at it, rename over ..data, drop the old one.
    writeVersion("..2026_11_26_10_00_00.000000002", b);
    symlinkSync("..2026_11_26_10_00_00.000000002", join(mount, "..data_tmp"));
    renameSync(join(mount, "..data_tmp"), join(mount, "..data"));
    rmSync(join(mount, "..2026_11_26_09_00_00.000000001"), { recursive: true });

    await waitFor(async () => (await servedFingerprint({ port: server.port, ca: [a.caCert, b.caCert] })) === fingerprint(b.cert), "the swapped pair to be served");
    await assert.rejects(httpsCall({ port: server.port, ca: a.caCert }, { method: "GET" }));
    assert.equal((await postReview({ port: server.port, ca: b.caCert }, podReview(loadSharedFixture("tekton-taskrun-dind")))).review.response.patchType, "JSONPatch");
  });
});

describe("certificate files missing at start", () => {
  test("serve exits non-zero with an error naming each missing file", async (t) => {
    const cleanup = cleanupFor(t);
    const home = tempDir(cleanup);
    const missingCert = join(home, "nope", "tls.crt");
    const missingKey = join(home, "nope", "tls.key");
    const result = await runCli(["serve", "--host", "127.0.0.1", "--port", "0", "--ops-port", "0", "--tls-cert", missingCert, "--tls-key", missingKey, "--audit-log", join(home, "audit.log")], { home });
    assert.equal(result.code, 2, "a start-up error, not a crash");
    const output = result.stdout + result.stderr;
    assert.doesNotMatch(output, /"level":"fatal"|sonic boom/, "no crash on the way out");
    assert.match(output, /cannot load the serving certificate/);
    for (const missing of [missingCert, missingKey]) assert.ok(output.includes(missing), `the error names ${missing}:\n${output}`);
    assert.doesNotMatch(output, /serving POST \/mutate/);
  });

  test("--tls-cert without --tls-key: exits non-zero saying both are needed", async (t) => {
    const cleanup = cleanupFor(t);
    const home = tempDir(cleanup);
    writeFileSync(join(home, "tls.crt"), "x");
    const result = await runCli(["serve", "--host", "127.0.0.1", "--port", "0", "--ops-port", "0", "--tls-cert", join(home, "tls.crt"), "--audit-log", join(home, "audit.log")], { home });
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /--tls-cert and --tls-key go together/);
  });
});
