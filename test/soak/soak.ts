/**
 * `npm run soak` – the soak with faults (see run-soak.ts), from the command line:
 *
 *   node --import tsx test/soak/soak.ts [--minutes 5] [--rate 100] [--reload-interval 1] [--max-rss-slope 2]
 *
 * Prints progress, RSS samples, the RSS trend and latency percentiles; exits 1 on any violation.
 */
import { parseArgs } from "node:util";
import { runSoak } from "./run-soak.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "5" },
    rate: { type: "string", default: "100" },
    "reload-interval": { type: "string", default: "1" },
    "sample-seconds": { type: "string", default: "10" },
    "warmup-seconds": { type: "string", default: "60" },
    "max-rss-slope": { type: "string", default: "2" },
  },
  strict: true,
});
const number = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number`);
  return n;
};

const durationSeconds = number("minutes") * 60;
const abort = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => abort.abort());
const report = await runSoak({
  durationSeconds,
  rate: number("rate"),
  reloadIntervalSeconds: number("reload-interval"),
  sampleSeconds: number("sample-seconds"),
  warmupSeconds: Math.min(number("warmup-seconds"), durationSeconds / 2),
  maxRssSlopeMiBPerMinute: number("max-rss-slope"),
  readinessPollMs: 200,
  log: (line) => console.log(line),
  signal: abort.signal,
}).catch((err: unknown) => {
  console.error(`soak: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(abort.signal.aborted ? 130 : 2);
});
process.exit(report.violations.length === 0 ? 0 : 1);
