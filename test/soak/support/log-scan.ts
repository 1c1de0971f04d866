/**
 * Checks on what a webhook wrote to its logs: no fragment of a request body (a marker string the test put
 * in the body), no line so long that a container runtime would split it (CRI and Docker cut at 16 KiB,
 * which breaks JSON log parsing), and no sign that a request escaped every handler.
 */

/** containerd (CRI) and Docker split log lines at 16 KiB. */
export const MAX_LOG_LINE_BYTES = 16 * 1024;

export interface LogSource {
  name: string;
  text: string;
}

export interface LogScan {
  lines: number;
  problems: string[];
}

/** Scans every line of every source. Problems name the source and line number, never the line itself. */
export function scanLogs(sources: LogSource[], markers: readonly string[], maxLineBytes = MAX_LOG_LINE_BYTES): LogScan {
  const problems: string[] = [];
  let lines = 0;
  for (const { name, text } of sources) {
    text.split("\n").forEach((line, i) => {
      if (!line.trim()) return;
      lines++;
      const where = `${name} line ${i + 1}`;
      for (const marker of markers) {
        if (line.includes(marker)) problems.push(`${where} holds a request body fragment (marker ${marker.slice(0, 6)}…) in ${fieldsHolding(line, marker)}`);
      }
      const bytes = Buffer.byteLength(line);
      if (bytes > maxLineBytes) problems.push(`${where} is ${bytes} bytes long (over ${maxLineBytes})`);
      if (/"level":"fatal"|"level":60\b/.test(line)) problems.push(`${where} is a fatal log line`);
      if (line.includes("unhandled error serving /mutate")) problems.push(`${where}: a request escaped the /mutate handler`);
    });
  }
  return { lines, problems };
}

/** The JSON field paths of a log line whose text holds `needle` (names only, never the value). */
function fieldsHolding(line: string, needle: string): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return "a non-JSON line";
  }
  const found: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (typeof value === "string" && value.includes(needle)) found.push(path || "(root)");
    else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
  };
  walk(record, "");
  const msg = (record as { msg?: unknown }).msg;
  return `${found.join(", ") || "a key"}${typeof msg === "string" ? ` of "${msg.slice(0, 60)}"` : ""}`;
}
