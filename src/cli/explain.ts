/**
 * `ci-pod-webhook explain --file pod.yaml [--config c.yaml] [--namespace ns] [--output summary|patch|pod|json]`:
 * runs the same core as the webhook, offline. Assumes the CA bundle ConfigMap exists (no API access).
 * Exit 0 admitted, 1 denied, 2 bad input, 3 internal error.
 */
import { parseArgs } from "node:util";
import { admit } from "../admission/admit.js";
import { defaultConfig, loadConfigFile } from "../config/load-config.js";
import { decisionJson, formatSummary } from "./explain-format.js";
import { InputError, readAdmissionInput } from "./read-input.js";

const OUTPUTS = ["summary", "patch", "pod", "json"] as const;

export async function runExplain(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { file: { type: "string", short: "f" }, config: { type: "string" }, namespace: { type: "string", short: "n" }, output: { type: "string", short: "o", default: "summary" } },
    strict: true,
  });
  if (!values.file) throw new InputError("--file is required (a Pod or AdmissionReview, YAML or JSON)");
  const output = values.output as (typeof OUTPUTS)[number];
  if (!OUTPUTS.includes(output)) throw new InputError(`--output must be one of ${OUTPUTS.join(", ")}`);
  let config = defaultConfig();
  if (values.config) {
    const loaded = await loadConfigFile(values.config);
    if (!loaded.ok) throw new InputError(`invalid config:\n  ${loaded.errors.join("\n  ")}`);
    config = loaded.config;
  }
  const request = await readAdmissionInput(values.file, values.namespace);
  const decision = admit(request, { config });
  if (output === "summary") out.write(formatSummary(decision));
  if (output === "json") out.write(`${JSON.stringify(decisionJson(decision), null, 2)}\n`);
  if (output === "patch") out.write(`${JSON.stringify(decision.kind === "mutated" ? decision.patch : [], null, 2)}\n`);
  if (output === "pod") out.write(`${JSON.stringify(decision.kind === "mutated" ? decision.pod : request.object, null, 2)}\n`);
  if (decision.kind === "error") return 3;
  return decision.kind === "denied" ? 1 : 0;
}
