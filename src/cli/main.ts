#!/usr/bin/env node
/** The `ci-pod-webhook` command: serve, explain, certs. */
import { errorMessage } from "../log.js";
import { runCerts } from "./certs.js";
import { runExplain } from "./explain.js";
import { runServe } from "./serve.js";
import { SERVE_FLAGS, envName } from "./serve-flags.js";

const USAGE = `Usage: ci-pod-webhook <command> [flags]

Commands:
  serve     run the admission webhook (HTTPS POST /mutate, ops on HTTP)
  explain   show what the webhook would do with a Pod or AdmissionReview file
            --file F [--config C] [--namespace NS] [--output summary|patch|pod|json]
            exit 0 admitted, 1 denied, 2 bad input, 3 internal error
  certs     write a dev CA and serving certificate and print the caBundle
            --dns-name NAME... [--ip-address IP...] [--out DIR]

serve flags (each also as an environment variable):
${Object.entries(SERVE_FLAGS).map(([flag, spec]) => `  --${flag.padEnd(18)} ${envName(flag).padEnd(36)} ${spec.help}${"default" in spec ? ` (default ${spec.default})` : ""}`).join("\n")}
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve": return runServe(rest);
    case "explain": return runExplain(rest, process.stdout);
    case "certs": return runCerts(rest, process.stdout);
    case "help": case "--help": case "-h": case undefined:
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (process.argv[2] !== "serve" || code !== 0) process.exitCode = code;
    if (process.argv[2] === "serve") process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`ci-pod-webhook: ${errorMessage(err)}\n`);
    process.exit(2);
  },
);
