/**
 * Development certificates: a CA and a serving certificate signed by it, generated with `selfsigned`
 * when no pair is given, written to the certs dir and reused on the next start while still valid.
 */
import { X509Certificate } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface DevCertPaths {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

export interface DevCertOptions {
  dir: string;
  dnsNames: string[];
  ipAddresses?: string[];
  /** Renew when the serving certificate expires within this many days. */
  renewBeforeDays?: number;
}

const DAY_MS = 86_400_000;

export function devCertPaths(dir: string): DevCertPaths {
  return { caCert: join(dir, "ca.crt"), caKey: join(dir, "ca.key"), cert: join(dir, "tls.crt"), key: join(dir, "tls.key") };
}

/** Default SANs: localhost, 127.0.0.1, ::1 and the in-cluster service names. */
export function defaultDnsNames(service: string, namespace: string): string[] {
  return ["localhost", `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

/** Returns the paths of a usable pair under `dir`, generating one when missing, expiring or lacking a SAN. */
export async function ensureDevCerts(opts: DevCertOptions): Promise<DevCertPaths & { generated: boolean }> {
  const paths = devCertPaths(opts.dir);
  const ips = opts.ipAddresses ?? ["127.0.0.1", "::1"];
  if (await isReusable(paths, opts.dnsNames, opts.renewBeforeDays ?? 30)) return { ...paths, generated: false };
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  const { caCert, caKey, cert, key } = await generateDevCerts(opts.dnsNames, ips);
  await writeFile(paths.caCert, caCert, { mode: 0o644 });
  await writeFile(paths.caKey, caKey, { mode: 0o600 });
  await writeFile(paths.key, key, { mode: 0o600 });
  await writeFile(paths.cert, cert, { mode: 0o644 });
  return { ...paths, generated: true };
}

/** Generates a CA (5 years) and a serving certificate (1 year) for the given names. */
export async function generateDevCerts(dnsNames: string[], ips: string[]): Promise<{ caCert: string; caKey: string; cert: string; key: string }> {
  const now = new Date();
  const ca = await generate([{ name: "commonName", value: "ci-pod-webhook dev CA" }], {
    keyType: "ec", algorithm: "sha256", notBeforeDate: new Date(now.getTime() - DAY_MS), notAfterDate: new Date(now.getTime() + 5 * 365 * DAY_MS),
    extensions: [{ name: "basicConstraints", cA: true, critical: true }, { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true }],
  });
  const serving = await generate([{ name: "commonName", value: dnsNames[0] ?? "localhost" }], {
    keyType: "ec", algorithm: "sha256", notBeforeDate: new Date(now.getTime() - DAY_MS), notAfterDate: new Date(now.getTime() + 365 * DAY_MS),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [...dnsNames.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  return { caCert: ca.cert, caKey: ca.private, cert: serving.cert, key: serving.private };
}

async function isReusable(paths: DevCertPaths, dnsNames: string[], renewBeforeDays: number): Promise<boolean> {
  try {
    const [certPem] = await Promise.all([readFile(paths.cert, "utf8"), readFile(paths.key), readFile(paths.caCert)]);
    const cert = new X509Certificate(certPem);
    if (Date.parse(cert.validTo) - Date.now() < renewBeforeDays * DAY_MS) return false;
    const sans = cert.subjectAltName ?? "";
    return dnsNames.every((name) => sans.includes(`DNS:${name}`));
  } catch {
    return false;
  }
}
