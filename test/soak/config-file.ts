/**
 * The soak's config file and its rewrites: atomic (write a temp file, rename) or torn (truncate, write a
 * first part, pause, write the rest), as a careless editor or a non-atomic copy would. Each version sets a
 * distinct ndots, so every reply tells which config it was computed with. A torn write's first part is
 * itself a valid config with ndots 1, so if the webhook ever applied it, a reply would show it.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeFileSync, writeSync } from "node:fs";

/** The ndots a torn write's first half would set; never allowed in a reply. */
export const HALF_NDOTS = "1";
/** The built-in default ndots: a truncated (empty) file would mean it; never allowed in a reply. */
export const DEFAULT_NDOTS = "2";
/** The invalid version's value: ndots must be 0..15, so it is refused and must never show. */
export const INVALID_NDOTS = "99";

export function configText(ndots: string): string {
  // Unquoted on purpose: `value: 1` (the torn half) and `value: 12` are both valid configs.
  return `caTrust:\n  checkPresence: false\ndns:\n  options:\n    - name: ndots\n      value: ${ndots}\n`;
}

export function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/**
 * Writes `configText(ndots)` in two parts with `pauseMs` between them; the first part ends right after the
 * first digit of the value, so it reads as ndots 1 for two-digit values starting with 1.
 */
export async function writeTorn(path: string, ndots: string, pauseMs: number): Promise<void> {
  if (!ndots.startsWith(HALF_NDOTS) || ndots.length < 2) throw new Error(`a torn write needs a two-digit ndots starting with ${HALF_NDOTS}`);
  const text = configText(ndots);
  const cut = text.lastIndexOf(ndots) + 1;
  const fd = openSync(path, "w");
  try {
    writeSync(fd, text.slice(0, cut));
    fsyncSync(fd);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    writeSync(fd, text.slice(cut));
  } finally {
    closeSync(fd);
  }
}
