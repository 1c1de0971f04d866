/**
 * Open-loop load generator: sends POSTs at fixed scheduled times whatever the server is doing, and
 * measures each latency from its scheduled send time (so queueing behind a slow server counts; no
 * coordinated omission). Keep-alive https.Agent. Prints one JSON line: OpenLoopResult.
 * Usage: node open-loop-client.js URL BODY_FILE RATE SECONDS WARMUP_SECONDS MAX_SOCKETS
 */
import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { percentile } from "../stats.js";

export interface OpenLoopResult {
  rate: number;
  sent: number;
  completed: number;
  errors: number;
  /** Requests still unanswered 10 s after the last send; their latency counts as that wait. */
  unfinished: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  /** Lateness of sends behind their schedule (generator health: a stalled client inflates latency). */
  sendLagP99Us: number;
  maxSendLagUs: number;
}

const [url = "", bodyFile = "", rateArg = "500", secondsArg = "15", warmupArg = "2", socketsArg = "64"] = process.argv.slice(2);
const rate = Number(rateArg);
const body = readFileSync(bodyFile);
const agent = new Agent({ keepAlive: true, maxSockets: Number(socketsArg), rejectUnauthorized: false });
const total = Math.round((Number(warmupArg) + Number(secondsArg)) * rate);
const firstMeasured = Math.round(Number(warmupArg) * rate);
const latencies: number[] = [];
let completed = 0;
let errors = 0;
let outstanding = 0;
const lags: number[] = [];
const pending = new Set<number>();

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const start = nowUs() + 50_000;
const scheduledAt = (i: number) => start + (i * 1e6) / rate;

function send(i: number): void {
  const scheduled = scheduledAt(i);
  if (i >= firstMeasured) lags.push(nowUs() - scheduled);
  outstanding++;
  pending.add(i);
  const finish = (ok: boolean) => {
    if (!pending.delete(i)) return;
    outstanding--;
    if (i < firstMeasured) return;
    if (ok) completed++;
    else errors++;
    latencies.push(nowUs() - scheduled);
  };
  const req = request(url, { method: "POST", agent, headers: { "Content-Type": "application/json", "Content-Length": body.length } }, (res) => {
    res.resume().on("end", () => finish(res.statusCode === 200));
  });
  req.on("error", () => finish(false)).end(body);
}

let next = 0;
const timer = setInterval(() => {
  const due = Math.min(total, Math.floor(((nowUs() - start) * rate) / 1e6) + 1);
  while (next < due) send(next++);
  if (next >= total) {
    clearInterval(timer);
    const deadline = nowUs() + 10_000_000;
    const wait = setInterval(() => {
      if (outstanding > 0 && nowUs() < deadline) return;
      clearInterval(wait);
      const unfinished = [...pending].filter((i) => i >= firstMeasured);
      for (const i of unfinished) latencies.push(nowUs() - scheduledAt(i));
      report(unfinished.length);
    }, 20);
  }
}, 1);

function report(unfinished: number): void {
  const result: OpenLoopResult = {
    rate, sent: total - firstMeasured, completed, errors, unfinished,
    p50Us: percentile(latencies, 50), p99Us: percentile(latencies, 99), maxUs: percentile(latencies, 100),
    sendLagP99Us: percentile(lags, 99), maxSendLagUs: percentile(lags, 100),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  agent.destroy();
  process.exit(0);
}
