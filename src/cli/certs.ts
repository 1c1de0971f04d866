/** `ci-pod-webhook certs --dns-name NAME... [--out DIR]`: a dev CA and serving certificate, and the caBundle. */
import { mkdir, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { devCertPaths, generateDevCerts } from "../tls/dev-certs.js";

export async function runCerts(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { "dns-name": { type: "string", multiple: true }, "ip-address": { type: "string", multiple: true }, out: { type: "string", default: "certs" } },
    strict: true,
  });
  const dnsNames = values["dns-name"] ?? [];
  if (dnsNames.length === 0) throw new Error("give at least one --dns-name (e.g. ci-pod-webhook.ci-pod-webhook.svc)");
  const dir = values.out ?? "certs";
  const pems = await generateDevCerts(dnsNames, values["ip-address"] ?? ["127.0.0.1"]);
  const paths = devCertPaths(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(paths.caCert, pems.caCert, { mode: 0o644 });
  await writeFile(paths.caKey, pems.caKey, { mode: 0o600 });
  await writeFile(paths.cert, pems.cert, { mode: 0o644 });
  await writeFile(paths.key, pems.key, { mode: 0o600 });
  out.write(`wrote ${paths.caCert}, ${paths.cert}, ${paths.key} (CA key: ${paths.caKey})\n`);
  out.write(`caBundle for the MutatingWebhookConfiguration:\n${Buffer.from(pems.caCert).toString("base64")}\n`);
  return 0;
}
