/** The platform ceiling: node:https reads the body and answers a fixed small AdmissionReview. */
import { createServer } from "node:https";
import { baselineArgs, listen } from "./tls-options.js";

const REPLY = Buffer.from(JSON.stringify({
  apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview",
  response: { uid: "00000000-0000-0000-0000-000000000000", allowed: true },
}));

const args = baselineArgs(process.argv.slice(2));
const server = createServer(args.tls, (req, res) => {
  let bytes = 0;
  req.on("data", (chunk: Buffer) => (bytes += chunk.length));
  req.on("end", () => {
    res.writeHead(bytes > 0 ? 200 : 400, { "Content-Type": "application/json", "Content-Length": REPLY.length });
    res.end(REPLY);
  });
});
listen(server, args);
