import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { generate } from "selfsigned";

/** File paths and PEMs of the credentials the apiserver is started with. */
export interface ClusterPki {
  caCertPem: string;
  caKeyPem: string;
  /** Files: CA cert, serving cert/key, service-account key pair, token CSV. */
  files: {
    caCert: string;
    servingCert: string;
    servingKey: string;
    saPublicKey: string;
    saSigningKey: string;
    tokenCsv: string;
  };
  /** Admin bearer token (user `e2e-admin`, group `system:masters`). */
  adminToken: string;
}

const HOUR = 3_600_000;

/**
 * Creates a throwaway PKI in `<dir>/pki`: an EC P-256 CA, an apiserver serving certificate
 * signed by it (SANs `localhost`, `127.0.0.1`, `kubernetes.default.svc`), an RSA
 * service-account signing key pair and a `--token-auth-file` holding one admin token.
 */
export async function createPki(dir: string): Promise<ClusterPki> {
  const pkiDir = path.join(dir, "pki");
  await mkdir(pkiDir, { recursive: true, mode: 0o700 });
  const notBeforeDate = new Date(Date.now() - HOUR); // tolerate small clock skew
  const notAfterDate = new Date(Date.now() + 7 * 24 * HOUR);
  const common = { keyType: "ec", algorithm: "sha256", notBeforeDate, notAfterDate } as const;

  const ca = await generate([{ name: "commonName", value: "ci-pod-webhook-e2e-ca" }], {
    ...common,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const serving = await generate([{ name: "commonName", value: "kube-apiserver" }], {
    ...common,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 2, value: "kubernetes.default.svc" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  const sa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const adminToken = randomBytes(24).toString("hex");

  const files = {
    caCert: path.join(pkiDir, "ca.crt"),
    servingCert: path.join(pkiDir, "apiserver.crt"),
    servingKey: path.join(pkiDir, "apiserver.key"),
    saPublicKey: path.join(pkiDir, "sa.pub"),
    saSigningKey: path.join(pkiDir, "sa.key"),
    tokenCsv: path.join(pkiDir, "tokens.csv"),
  };
  const contents: Array<[string, string]> = [
    [files.caCert, ca.cert],
    [files.servingCert, serving.cert],
    [files.servingKey, serving.private],
    [files.saPublicKey, sa.publicKey.export({ type: "spki", format: "pem" }).toString()],
    [files.saSigningKey, sa.privateKey.export({ type: "pkcs8", format: "pem" }).toString()],
    // token,user,uid,"group1,group2"
    [files.tokenCsv, `${adminToken},e2e-admin,e2e-admin,"system:masters"\n`],
  ];
  await Promise.all(contents.map(([file, data]) => writeFile(file, data, { mode: 0o600 })));
  return { caCertPem: ca.cert, caKeyPem: ca.private, files, adminToken };
}
