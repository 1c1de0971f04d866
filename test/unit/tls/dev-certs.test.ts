import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { validatePair } from "../../../src/tls/cert-source.js";
import { defaultDnsNames, ensureDevCerts } from "../../../src/tls/dev-certs.js";

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "dev-certs-"));
  dirs.push(dir);
  return dir;
}
const names = defaultDnsNames("ci-pod-webhook", "ci-pod-webhook");
const read = (path: string) => readFileSync(path, "utf8");

describe("dev certificates", () => {
  test("dev certs – a CA and a serving pair signed by it, with the localhost, loopback and service SANs", async () => {
    const paths = await ensureDevCerts({ dir: freshDir(), dnsNames: names });
    assert.equal(paths.generated, true);
    const ca = new X509Certificate(read(paths.caCert));
    const cert = new X509Certificate(read(paths.cert));
    assert.equal(ca.ca, true);
    assert.equal(cert.ca, false);
    assert.ok(cert.verify(ca.publicKey), "serving cert is signed by the CA");
    for (const san of ["DNS:localhost", "DNS:ci-pod-webhook.ci-pod-webhook.svc", "DNS:ci-pod-webhook.ci-pod-webhook.svc.cluster.local", "IP Address:127.0.0.1"]) {
      assert.ok(cert.subjectAltName?.includes(san), `${san} in ${cert.subjectAltName}`);
    }
    assert.ok(validatePair(Buffer.from(read(paths.cert)), Buffer.from(read(paths.key))) > Date.now());
  });

  test("dev certs – reused byte for byte on the next start", async () => {
    const dir = freshDir();
    const first = await ensureDevCerts({ dir, dnsNames: names });
    const before = [read(first.caCert), read(first.cert), read(first.key)];
    const second = await ensureDevCerts({ dir, dnsNames: names });
    assert.equal(second.generated, false);
    assert.deepEqual([read(second.caCert), read(second.cert), read(second.key)], before);
  });

  test("dev certs – an expiring serving cert is re-issued by the same CA, so the caBundle stays valid", async () => {
    const dir = freshDir();
    const first = await ensureDevCerts({ dir, dnsNames: names });
    const ca = read(first.caCert);
    const oldCert = read(first.cert);
    // The serving cert lives 365 days and the CA 5 years: a 400-day window renews only the former.
    const renewed = await ensureDevCerts({ dir, dnsNames: names, renewBeforeDays: 400 });
    assert.equal(renewed.generated, true);
    assert.equal(renewed.caGenerated, false);
    assert.equal(read(renewed.caCert), ca);
    assert.notEqual(read(renewed.cert), oldCert);
    assert.ok(new X509Certificate(read(renewed.cert)).verify(new X509Certificate(ca).publicKey));
  });

  test("dev certs – a missing SAN or a missing CA key starts over", async () => {
    const dir = freshDir();
    const first = await ensureDevCerts({ dir, dnsNames: names });
    const withNewName = await ensureDevCerts({ dir, dnsNames: [...names, "webhook.example.test"] });
    assert.equal(withNewName.generated, true);
    assert.equal(withNewName.caGenerated, false);
    assert.ok(new X509Certificate(read(withNewName.cert)).subjectAltName?.includes("DNS:webhook.example.test"));
    const ca = read(first.caCert);
    unlinkSync(first.caKey);
    unlinkSync(first.cert);
    const restarted = await ensureDevCerts({ dir, dnsNames: names });
    assert.equal(restarted.caGenerated, true);
    assert.notEqual(read(restarted.caCert), ca);
  });
});
