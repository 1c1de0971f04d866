/**
 * Test PKI for certificate rotation: CAs that issue any number of serving certificates, as cert-manager's
 * CA issuer re-issues a Certificate. Each CA has a subject of its own (TLS clients pick the issuer by
 * name, so two CAs of one name in a bundle would break verification for one of them).
 */
import { X509Certificate } from "node:crypto";
import { SERVICE_NAME } from "../../support/tls-client.js";

const DAY_MS = 86_400_000;
let serial = 0;

export interface TestCa {
  name: string;
  cert: string;
  key: string;
}

export interface ServingPair {
  cert: string;
  key: string;
  /** SHA-256 fingerprint of the certificate, as a TLS peer reports it. */
  fingerprint: string;
  issuer: string;
}

export async function createCa(label: string): Promise<TestCa> {
  const { generate } = await import("selfsigned");
  const now = Date.now();
  const name = `ci-pod-webhook soak ${label} CA ${process.pid}-${now}-${++serial}`;
  const ca = await generate([{ name: "commonName", value: name }], {
    keyType: "ec", algorithm: "sha256", notBeforeDate: new Date(now - DAY_MS), notAfterDate: new Date(now + 30 * DAY_MS),
    extensions: [{ name: "basicConstraints", cA: true, critical: true }, { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true }],
  });
  return { name, cert: ca.cert, key: ca.private };
}

/** A new serving certificate and key from `ca`, for the webhook Service names, localhost and 127.0.0.1. */
export async function issueServingPair(ca: TestCa): Promise<ServingPair> {
  const { generate } = await import("selfsigned");
  const now = Date.now();
  const names = [SERVICE_NAME, `${SERVICE_NAME}.cluster.local`, "localhost"];
  const pair = await generate([{ name: "commonName", value: SERVICE_NAME }], {
    keyType: "ec", algorithm: "sha256", notBeforeDate: new Date(now - DAY_MS), notAfterDate: new Date(now + (10 + ++serial) * DAY_MS),
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [...names.map((value) => ({ type: 2 as const, value })), { type: 7 as const, ip: "127.0.0.1" }] },
    ],
  });
  return { cert: pair.cert, key: pair.private, fingerprint: new X509Certificate(pair.cert).fingerprint256, issuer: ca.name };
}
