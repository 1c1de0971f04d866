/** `--register-webhook NAME`: writes our CA into every webhook's caBundle in that MutatingWebhookConfiguration. */
import { AdmissionregistrationV1Api, ApiException, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";

export async function registerCaBundle(kc: KubeConfig, name: string, caPem: string): Promise<number> {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  const existing = await api.readMutatingWebhookConfiguration({ name }).catch((err: unknown) => Promise.reject(apiError(err, "read", name)));
  const caBundle = Buffer.from(caPem).toString("base64");
  const webhooks = existing.webhooks ?? [];
  if (webhooks.length === 0) throw new Error(`MutatingWebhookConfiguration ${name} has no webhooks`);
  const patch = webhooks.flatMap((webhook, i) =>
    webhook.clientConfig.caBundle === caBundle ? [] : [{ op: "add", path: `/webhooks/${i}/clientConfig/caBundle`, value: caBundle }],
  );
  if (patch.length === 0) return 0;
  // The test op makes the patch fail rather than write into a reordered list.
  const guarded = [{ op: "test", path: "/metadata/resourceVersion", value: existing.metadata?.resourceVersion }, ...patch];
  await api.patchMutatingWebhookConfiguration({ name, body: guarded }, setHeaderOptions("Content-Type", PatchStrategy.JsonPatch))
    .catch((err: unknown) => Promise.reject(apiError(err, "patch", name)));
  return patch.length;
}

/**
 * client-node's ApiException message is a multi-line dump ("HTTP-Code: 404 / Message: Unknown API Status
 * Code! / Body: ... / Headers: ..."): say instead what failed, the API server's reason, and what to do.
 */
function apiError(err: unknown, verb: "read" | "patch", name: string): unknown {
  if (!(err instanceof ApiException)) return err;
  let reason = "";
  try {
    reason = (JSON.parse(String(err.body)) as { message?: string }).message ?? "";
  } catch {
    // not a Status object
  }
  const hint =
    err.code === 404 ? "; it must exist before the webhook starts (deploy/ creates it)"
    : err.code === 403 ? `; the webhook's ServiceAccount needs get and patch on mutatingwebhookconfigurations/${name} (deploy/overlays/self-signed/rbac-register.yaml)`
    : "";
  return new Error(`--register-webhook: cannot ${verb} MutatingWebhookConfiguration ${name}: HTTP ${err.code}${reason ? `: ${reason}` : ""}${hint}`);
}
