/** Absolute paths of the test data directories, independent of the current working directory. */
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** `test/fixtures/`: shared CI pod fixtures (`shared/`) and small hand-written pods. */
export const FIXTURES_DIR = fileURLToPath(new URL("../fixtures/", import.meta.url));
/** `test/golden/`: `<system>/<case>.pod.json` inputs with their `<case>.expected.json` decisions. */
export const GOLDEN_DIR = fileURLToPath(new URL("../golden/", import.meta.url));

/** `UPDATE_GOLDEN=1` rewrites expected files instead of comparing against them. */
export function isUpdatingGolden(): boolean {
  return process.env.UPDATE_GOLDEN === "1" || process.env.UPDATE_GOLDEN === "true";
}
