/** The naive-stack ceiling: express 5 with express.json() answering allowed with no patch. */
import { createServer } from "node:https";
import express from "express";
import { baselineArgs, listen } from "./tls-options.js";

const args = baselineArgs(process.argv.slice(2));
const app = express();
app.post("/mutate", express.json({ limit: "16mb" }), (req, res) => {
  const uid = (req.body as { request?: { uid?: string } } | undefined)?.request?.uid ?? "";
  res.json({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid, allowed: true } });
});
listen(createServer(args.tls, app), args);
