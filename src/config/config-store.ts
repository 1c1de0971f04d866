/**
 * Holds the config in force. A reload parses and validates the whole file first, then swaps one
 * reference; on any error the last good config stays. Requests take one snapshot each, so none sees
 * half a config. A changed file is applied only once two polls in a row read the same bytes, so a file
 * caught halfway through a (non-atomic) write is never applied, even when the half happens to be valid.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parseConfigText, type ConfigResult } from "./load-config.js";
import type { Config } from "./schema.js";

export type ConfigReloadResult = "loaded" | "unchanged" | "failed";

export interface ConfigStoreEvents {
  onReload?: (result: ConfigReloadResult, errors: string[]) => void;
}

export class ConfigStore {
  #config: Config;
  #hash: string | undefined;
  #candidate: string | undefined;
  #lastReadError: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(initial: Config, readonly path?: string, private readonly events: ConfigStoreEvents = {}, initialText?: string) {
    this.#config = initial;
    if (initialText !== undefined) this.#hash = hashOf(initialText);
  }

  current(): Config {
    return this.#config;
  }

  /**
   * Re-reads the file; swaps only when it changed, read the same on the previous poll (`settled`), and is
   * entirely valid. Never throws. `settled: false` applies at once (a single explicit reload).
   */
  async reload(opts: { settled?: boolean } = {}): Promise<ConfigReloadResult> {
    if (!this.path) return "unchanged";
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      const error = `${this.path}: cannot read config file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
      if (error === this.#lastReadError) return "unchanged";
      this.#lastReadError = error;
      this.#hash = undefined;
      return this.#report("failed", [error]);
    }
    this.#lastReadError = undefined;
    const hash = hashOf(text);
    if (hash === this.#hash) return "unchanged";
    if (opts.settled !== false && hash !== this.#candidate) {
      this.#candidate = hash;
      return "unchanged";
    }
    const result: ConfigResult = parseConfigText(text, this.path);
    if (!result.ok) {
      this.#hash = hash;
      return this.#report("failed", result.errors);
    }
    this.#config = result.config;
    this.#hash = hash;
    return this.#report("loaded", []);
  }

  watch(intervalMs: number): void {
    this.stop();
    if (!this.path) return;
    this.#timer = setInterval(() => void this.reload(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #report(result: ConfigReloadResult, errors: string[]): ConfigReloadResult {
    this.events.onReload?.(result, errors);
    return result;
  }
}

function hashOf(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
