import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { CertSource } from "../../../src/tls/cert-source.js";
import { ensureDevCerts } from "../../../src/tls/dev-certs.js";
import { tempDir } from "../../support/server-process.js";

const freshDir = () => tempDir({ after }, "cert-source-");

describe("CertSource – files that cannot be read", () => {
  test("cert source – both files missing: the error names both, every time", async () => {
    const dir = freshDir();
    const certPath = join(dir, "nope", "tls.crt");
    const keyPath = join(dir, "nope", "tls.key");
    // Which read fails first is a race between two reads; repeat so a message naming only the winner shows up.
    for (let attempt = 0; attempt < 20; attempt++) {
      const source = new CertSource(certPath, keyPath);
      assert.equal(await source.reload(), "failed");
      assert.ok(source.lastError?.includes(certPath), `names ${certPath}: ${source.lastError}`);
      assert.ok(source.lastError?.includes(keyPath), `names ${keyPath}: ${source.lastError}`);
      assert.equal(source.current, undefined);
    }
  });

  test("cert source – only the key missing: the error names the key and not the cert", async () => {
    const paths = await ensureDevCerts({ dir: freshDir(), dnsNames: ["localhost"] });
    const keyPath = join(freshDir(), "tls.key");
    const source = new CertSource(paths.cert, keyPath);
    assert.equal(await source.reload(), "failed");
    assert.match(source.lastError ?? "", /^cannot read certificate files: ENOENT/);
    assert.ok(source.lastError?.includes(keyPath), `names ${keyPath}: ${source.lastError}`);
    assert.ok(!source.lastError?.includes(paths.cert), `does not blame the readable cert: ${source.lastError}`);
  });

  test("cert source – a failed read keeps the last good pair", async () => {
    const dir = freshDir();
    const paths = await ensureDevCerts({ dir, dnsNames: ["localhost"] });
    const source = new CertSource(paths.cert, paths.key);
    assert.equal(await source.reload(), "loaded");
    const good = source.current;
    rmSync(paths.key);
    assert.equal(await source.reload(), "failed");
    assert.equal(source.current, good);
    assert.ok(source.lastError?.includes(paths.key));
  });
});
