/**
 * The serving certificate, reloaded without a restart. Secret mounts swap symlinks, so the files are
 * polled and compared by bytes; a new pair is validated before it replaces the old one, and a bad reload
 * keeps the last good pair.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createSecureContext } from "node:tls";
import { errorMessage } from "../log.js";

export interface CertPair {
  cert: Buffer;
  key: Buffer;
  /** Expiry of the leaf certificate (ms since epoch). */
  notAfter: number;
}

export type CertReloadResult = "loaded" | "unchanged" | "failed";

export interface CertSourceEvents {
  onReload?: (result: CertReloadResult, detail: { notAfter?: number; error?: string }) => void;
}

export class CertSource {
  #current: CertPair | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastError: string | undefined;
  /** The last pair that failed validation: the same bytes are not re-validated, logged and counted every poll. */
  #rejected: { cert: Buffer; key: Buffer } | undefined;

  constructor(
    readonly certPath: string,
    readonly keyPath: string,
    private readonly events: CertSourceEvents = {},
  ) {}

  /** The last good pair; undefined before the first successful load. */
  get current(): CertPair | undefined {
    return this.#current;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Loads the files; returns whether anything changed. Never throws. */
  async reload(): Promise<CertReloadResult> {
    const [certRead, keyRead] = await Promise.allSettled([readFile(this.certPath), readFile(this.keyPath)]);
    if (certRead.status === "rejected" || keyRead.status === "rejected") {
      // Each message names its file ("ENOENT: no such file or directory, open '/path/tls.crt'"); the code alone does not.
      // Both are reported: which read fails first is a race, and the operator needs to hear of every missing file.
      const reasons = [certRead, keyRead].flatMap((read) => (read.status === "rejected" ? [errorMessage(read.reason)] : []));
      return this.#fail(`cannot read certificate files: ${reasons.join("; ")}`);
    }
    const cert = certRead.value;
    const key = keyRead.value;
    if (this.#current && cert.equals(this.#current.cert) && key.equals(this.#current.key)) return "unchanged";
    if (this.#rejected && cert.equals(this.#rejected.cert) && key.equals(this.#rejected.key)) return "unchanged";
    try {
      this.#current = { cert, key, notAfter: validatePair(cert, key) };
    } catch (err) {
      this.#rejected = { cert, key };
      return this.#fail(`invalid certificate pair: ${(err as Error).message}`);
    }
    this.#rejected = undefined;
    this.#lastError = undefined;
    this.events.onReload?.("loaded", { notAfter: this.#current.notAfter });
    return "loaded";
  }

  /** Polls every `intervalMs`; `onChange` runs after a successful reload that changed the pair. */
  watch(intervalMs: number, onChange: (pair: CertPair) => void): void {
    this.stop();
    this.#timer = setInterval(() => {
      void this.reload().then((result) => {
        if (result === "loaded" && this.#current) onChange(this.#current);
      });
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #fail(error: string): CertReloadResult {
    this.#lastError = error;
    this.events.onReload?.("failed", { error });
    return "failed";
  }
}

/** Throws unless `cert` parses, is currently valid, matches `key`, and makes a TLS context. Returns notAfter. */
export function validatePair(cert: Buffer, key: Buffer): number {
  const x509 = new X509Certificate(cert);
  if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error("the private key does not match the certificate");
  const notAfter = Date.parse(x509.validTo);
  if (notAfter < Date.now()) throw new Error(`the certificate expired at ${x509.validTo}`);
  createSecureContext({ cert, key });
  return notAfter;
}
