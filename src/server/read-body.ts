/**
 * Reads a request body up to a byte limit, without buffering more than the limit. With a Content-Length
 * (the API server always sends one) the body is copied into one buffer of that size as it arrives, so the
 * socket's chunks die young instead of living until a final concat doubles the body in memory. A
 * Content-Length is a claim, not bytes: that buffer is allocated once an eighth of it has arrived, so a
 * client that promises the limit and sends one byte holds one byte, not the limit.
 */
import type { IncomingMessage } from "node:http";

export class BodyError extends Error {
  constructor(readonly status: 400 | 408 | 413, message: string) {
    super(message);
  }
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new BodyError(413, `request body of ${declared} bytes exceeds the limit of ${limit} bytes`));
  }
  const declaredLength = Number.isInteger(declared) && declared > 0 ? declared : undefined;
  return new Promise((resolve, reject) => {
    let sized: Buffer | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      req.off("data", onData).off("end", onEnd).off("error", onError).off("aborted", onAborted);
      if (err) reject(err);
      else if (sized) resolve(sized.subarray(0, size));
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > limit || (sized && size + chunk.length > sized.length)) {
        size += chunk.length;
        finish(new BodyError(413, `request body exceeds the limit of ${limit} bytes`));
        req.resume();
        return;
      }
      if (!sized && declaredLength && (size + chunk.length) * 8 >= declaredLength) {
        sized = Buffer.allocUnsafe(declaredLength);
        let at = 0;
        for (const earlier of chunks.splice(0)) at += earlier.copy(sized, at);
      }
      if (sized) chunk.copy(sized, size);
      else chunks.push(chunk);
      size += chunk.length;
    };
    const onEnd = () => finish();
    const onError = (err: Error) => finish(new BodyError(400, `error reading the request body: ${err.message}`));
    const onAborted = () => finish(new BodyError(400, "the client aborted the request"));
    req.on("data", onData).on("end", onEnd).on("error", onError).on("aborted", onAborted);
  });
}
