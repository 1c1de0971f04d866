import { writeFile } from "node:fs/promises";

/**
 * Writes a kubeconfig (JSON, which kubectl and @kubernetes/client-node both read) with one
 * cluster, one token user and a current context named `e2e`.
 */
export async function writeKubeconfig(
  file: string,
  server: string,
  caCertPem: string,
  token: string,
): Promise<void> {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "e2e",
        cluster: { server, "certificate-authority-data": Buffer.from(caCertPem).toString("base64") },
      },
    ],
    users: [{ name: "e2e-admin", user: { token } }],
    contexts: [{ name: "e2e", context: { cluster: "e2e", user: "e2e-admin", namespace: "default" } }],
    "current-context": "e2e",
    preferences: {},
  };
  await writeFile(file, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
}
