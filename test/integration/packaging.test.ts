/**
 * The container image, as far as a machine without a Docker engine can check it: the Dockerfile's stages
 * replayed by test/packaging/image-layout.sh, then the runtime file set started the way the image starts it
 * (ENTRYPOINT node /app/dist/src/cli/main.js, CMD serve, ENV CI_POD_WEBHOOK_CERTS_DIR under /tmp, USER
 * 10001) with everything but /tmp read-only. Not checked here: the base image itself and `docker build`.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "image-layout-"));
after(() => {
  execFileSync("chmod", ["-R", "u+w", work]);
  rmSync(work, { recursive: true, force: true });
});

describe("container image layout", () => {
  test("image – the Dockerfile names the stages this test replays", () => {
    const dockerfile = readFileSync(join(repo, "Dockerfile"), "utf8");
    for (const line of [
      "RUN npm ci --no-audit --no-fund --ignore-scripts",
      "RUN npm run build && npm prune --omit=dev --ignore-scripts",
      "COPY --from=build /app/node_modules ./node_modules",
      "COPY --from=build /app/dist/src ./dist/src",
      "USER 10001:10001",
      'ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]',
      'CMD ["serve"]',
      "CI_POD_WEBHOOK_CERTS_DIR=/tmp/ci-pod-webhook/certs",
    ]) assert.ok(dockerfile.includes(line), `Dockerfile has: ${line}`);
  });

  test("image – production dependencies only, and the server starts read-only as uid 10001 with /tmp writable", { timeout: 300_000 }, async () => {
    const app = execFileSync("bash", [join(repo, "test/packaging/image-layout.sh"), work], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").pop() ?? "";
    const modules = readdirSync(join(app, "node_modules"));
    for (const dev of ["typescript", "tsx", "fast-check", "kubernetes-models", "autocannon"]) {
      assert.ok(!modules.includes(dev), `${dev} must not ship in the image`);
    }
    assert.ok(!existsSync(join(app, "node_modules/@types/express")), "@types/express (a dev dependency) must not ship");
    assert.ok(!existsSync(join(app, "dist/test")), "no compiled tests in the image");
    execFileSync("chmod", ["-R", "a+rX", work]);
    const tmp = mkdtempSync(join(tmpdir(), "image-tmp-"));
    execFileSync("chown", ["10001:10001", tmp]);
    const child = spawn("setpriv", ["--reuid=10001", "--regid=10001", "--clear-groups", "node", join(app, "dist/src/cli/main.js"), "serve", "--port", "0", "--ops-port", "0", "--host", "127.0.0.1"], {
      cwd: app,
      env: { PATH: process.env.PATH ?? "", HOME: tmp, NODE_ENV: "production", CI_POD_WEBHOOK_CERTS_DIR: join(tmp, "ci-pod-webhook/certs") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`no serving line: ${out}`)), 60_000);
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const serving = out.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === "ci-pod-webhook serving POST /mutate");
          if (serving) {
            clearTimeout(timer);
            resolve(serving);
          }
        });
        child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
        child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const ready = await fetch(`http://127.0.0.1:${String(line.opsPort)}/readyz`);
      assert.equal(ready.status, 200);
      assert.ok(existsSync(join(tmp, "ci-pod-webhook/certs/tls.crt")), "dev certificates written under /tmp");
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
