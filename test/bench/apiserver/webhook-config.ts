/** MutatingWebhookConfigurations for the bench: one webhook by URL, limited to namespaces with a label. */

export const HOOKED_LABEL = "bench.ci-pod-webhook.io/hooked";

export function webhookConfiguration(name: string, url: string, caPem: string, labelValue: string, failurePolicy: "Fail" | "Ignore"): object {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: { name },
    webhooks: [{
      name: `${name}.bench.ci-pod-webhook.io`,
      clientConfig: { url, caBundle: Buffer.from(caPem).toString("base64") },
      rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], scope: "Namespaced" }],
      namespaceSelector: { matchLabels: { [HOOKED_LABEL]: labelValue } },
      failurePolicy,
      sideEffects: "None",
      admissionReviewVersions: ["v1"],
      timeoutSeconds: 10,
      reinvocationPolicy: "Never",
    }],
  };
}
