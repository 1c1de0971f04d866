/**
 * Development certificates: a CA and a serving certificate signed by it, generated with `selfsigned`
 * when no pair is given, written to the certs dir and reused on the next start while still valid.
 */
import { X509Certificate } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

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

/**
 * Returns the paths of a usable pair under `dir`. A serving certificate that is missing, expires within
 * `renewBeforeDays` or lacks a SAN is re-issued; the CA is kept while it is valid for longer than that,
 * so a renewal does not change the caBundle.
 */
export async function ensureDevCerts(opts: DevCertOptions): Promise<DevCertPaths & { generated: boolean; caGenerated: boolean }> {
  const paths = devCertPaths(opts.dir);
  const ips = opts.ipAddresses ?? ["127.0.0.1", "::1"];
  const renewBeforeMs = (opts.renewBeforeDays ?? 30) * DAY_MS;
  if (await isReusable(paths, opts.dnsNames, renewBeforeMs)) return { ...paths, generated: false, caGenerated: false };
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  const existingCa = await readValidCa(paths, renewBeforeMs);
  const ca = existingCa ?? (await generateDevCa());
  const serving = await issueServingCert(ca, opts.dnsNames, ips);
  if (!existingCa) {
    await writeFile(paths.caCert, ca.cert, { mode: 0o644 });
    await writeFile(paths.caKey, ca.key, { mode: 0o600 });
  }
  await writeFile(paths.key, serving.key, { mode: 0o600 });
  await writeFile(paths.cert, serving.cert, { mode: 0o644 });
  return { ...paths, generated: true, caGenerated: !existingCa };
}

/** Generates a CA (5 years) and a serving certificate (1 year) for the given names. */
export async function generateDevCerts(dnsNames: string[], ips: string[]): Promise<{ caCert: string; caKey: string; cert: string; key: string }> {
  const ca = await generateDevCa();
  const serving = await issueServingCert(ca, dnsNames, ips);
  return { caCert: ca.cert, caKey: ca.key, cert: serving.cert, key: serving.key };
}

interface Pem {
  cert: string;
  key: string;
}

/** selfsigned is loaded only when a certificate is generated: serving a given pair never needs it. */
async function loadGenerator() {
  return (await import("selfsigned")).generate;
}

async function generateDevCa(): Promise<Pem> {
  const generate = await loadGenerator();
  const now = Date.now();
  // A unique name: TLS clients pick the issuer by name, so two dev CAs in one bundle must not share one.
  const ca = await generate([{ name: "commonName", value: `ci-pod-webhook dev CA ${new Date(now).toISOString()}` }], {
    keyType: "ec", algorithm: "sha256", notBeforeDate: new Date(now - DAY_MS), notAfterDate: new Date(now + 5 * 365 * DAY_MS),
    extensions: [{ name: "basicConstraints", cA: true, critical: true }, { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true }],
  });
  return { cert: ca.cert, key: ca.private };
}

async function issueServingCert(ca: Pem, dnsNames: string[], ips: string[]): Promise<Pem> {
  const generate = await loadGenerator();
  const now = Date.now();
  const serving = await generate([{ name: "commonName", value: dnsNames[0] ?? "localhost" }], {
    keyType: "ec", algorithm: "sha256", notBeforeDate: new Date(now - DAY_MS), notAfterDate: new Date(now + 365 * DAY_MS),
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [...dnsNames.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  return { cert: serving.cert, key: serving.private };
}

async function readValidCa(paths: DevCertPaths, renewBeforeMs: number): Promise<Pem | undefined> {
  try {
    const [cert, key] = await Promise.all([readFile(paths.caCert, "utf8"), readFile(paths.caKey, "utf8")]);
    const x509 = new X509Certificate(cert);
    if (!x509.ca || Date.parse(x509.validTo) - Date.now() < renewBeforeMs) return undefined;
    return { cert, key };
  } catch {
    return undefined;
  }
}

async function isReusable(paths: DevCertPaths, dnsNames: string[], renewBeforeMs: number): Promise<boolean> {
  try {
    const [certPem, , caPem] = await Promise.all([readFile(paths.cert, "utf8"), readFile(paths.key), readFile(paths.caCert, "utf8")]);
    const cert = new X509Certificate(certPem);
    if (!cert.verify(new X509Certificate(caPem).publicKey)) return false;
    if (Date.parse(cert.validTo) - Date.now() < renewBeforeMs) return false;
    const sans = cert.subjectAltName ?? "";
    return dnsNames.every((name) => sans.includes(`DNS:${name}`));
  } catch {
    return false;
  }
}
