/** `ci-pod-webhook serve`: runs the webhook until SIGTERM/SIGINT, then drains and exits 0. */
import { createLogger } from "../log.js";
import { tuneHeapGrowth } from "../server/heap-tuning.js";
import { startWebhookService } from "../server/webhook-service.js";
import { parseServeFlags } from "./serve-flags.js";

export async function runServe(argv: string[]): Promise<number> {
  const opts = parseServeFlags(argv, process.env);
  const logger = createLogger({ level: opts.logLevel });
  // A request never crashes the process; anything that escapes every handler is fatal: log one line, exit non-zero.
  process.on("uncaughtException", (err) => fatal(logger, err));
  process.on("unhandledRejection", (err) => fatal(logger, err));
  const heapGrowingPercent = tuneHeapGrowth();
  logger.debug({ heapGrowingPercent: heapGrowingPercent ?? "from the node command line" }, "V8 heap growth");
  const service = await startWebhookService(opts, logger);
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      service.shutdown(signal).then(() => resolve(0), (err: unknown) => {
        logger.error({ err }, "error during shutdown");
        resolve(1);
      });
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}

function fatal(logger: ReturnType<typeof createLogger>, err: unknown): never {
  logger.fatal({ err }, "fatal error; exiting so Kubernetes restarts the webhook");
  logger.flush();
  process.exit(70);
}
