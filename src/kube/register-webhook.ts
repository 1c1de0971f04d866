/** `--register-webhook NAME`: writes our CA into every webhook's caBundle in that MutatingWebhookConfiguration. */
import { AdmissionregistrationV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";

export async function registerCaBundle(kc: KubeConfig, name: string, caPem: string): Promise<number> {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  const existing = await api.readMutatingWebhookConfiguration({ name });
  const caBundle = Buffer.from(caPem).toString("base64");
  const webhooks = existing.webhooks ?? [];
  if (webhooks.length === 0) throw new Error(`MutatingWebhookConfiguration ${name} has no webhooks`);
  const patch = webhooks.flatMap((webhook, i) =>
    webhook.clientConfig.caBundle === caBundle ? [] : [{ op: "add", path: `/webhooks/${i}/clientConfig/caBundle`, value: caBundle }],
  );
  if (patch.length === 0) return 0;
  // The test op makes the patch fail rather than write into a reordered list.
  const guarded = [{ op: "test", path: "/metadata/resourceVersion", value: existing.metadata?.resourceVersion }, ...patch];
  await api.patchMutatingWebhookConfiguration({ name, body: guarded }, setHeaderOptions("Content-Type", PatchStrategy.JsonPatch));
  return patch.length;
}
