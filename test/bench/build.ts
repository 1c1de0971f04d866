/** Compiles the bench's child-process scripts (baselines, open-loop client) to plain JS, so that the
 * baselines run without the tsx loader in memory. Output: test/bench/results/.build (git-ignored). */
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export function compileBenchScripts(repo: string): string {
  execFileSync(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", join(repo, "test/bench/tsconfig.json")], { stdio: "inherit" });
  return join(repo, "test/bench/results/.build");
}
