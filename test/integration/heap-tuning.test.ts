/** `serve` applies its V8 heap growth at start-up, unless node was started with the operator's own value. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { cleanupFor, spawnServer, tempDir, waitFor } from "../support/server-process.js";

async function heapGrowthLine(t: Parameters<typeof cleanupFor>[0], nodeArgs: string[]): Promise<Record<string, unknown>> {
  const cleanup = cleanupFor(t);
  const home = tempDir(cleanup);
  const server = await spawnServer(cleanup, ["--certs-dir", join(home, "certs"), "--audit-log", join(home, "audit.log"), "--log-level", "debug"], { home, nodeArgs });
  return waitFor(() => server.stdout().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === "V8 heap growth"), "the heap growth line");
}

describe("V8 heap growth at start-up", () => {
  test("serve – sets --heap-growing-percent=100 and says so at debug level", async (t) => {
    assert.equal((await heapGrowthLine(t, [])).heapGrowingPercent, 100);
  });

  test("serve – node started with --heap-growing-percent keeps the operator's value", async (t) => {
    assert.equal((await heapGrowthLine(t, ["--heap-growing-percent=30"])).heapGrowingPercent, "from the node command line");
  });
});
