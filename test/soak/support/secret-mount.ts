/**
 * A directory that changes the way a kubelet Secret or ConfigMap volume does: each version is written to
 * a new hidden dir, `..data` is swapped to it with one rename, and the visible files are symlinks through
 * `..data`. A reader never sees a new cert with an old key.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export class SecretMount {
  #version = 0;
  #current: string | undefined;

  constructor(readonly dir: string, readonly files: readonly string[]) {
    mkdirSync(dir, { recursive: true });
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  /** Publishes a new version of every file at once. */
  write(contents: Record<string, string>): void {
    const version = `..${new Date().toISOString().replace(/[-:.]/g, "_")}.${++this.#version}`;
    mkdirSync(join(this.dir, version));
    for (const file of this.files) writeFileSync(join(this.dir, version, file), contents[file] ?? "");
    symlinkSync(version, join(this.dir, "..data_tmp"));
    renameSync(join(this.dir, "..data_tmp"), join(this.dir, "..data"));
    if (this.#version === 1) for (const file of this.files) symlinkSync(join("..data", file), join(this.dir, file));
    if (this.#current) rmSync(join(this.dir, this.#current), { recursive: true, force: true });
    this.#current = version;
  }
}
