/** The figures a saturation run yields, whichever tool produced them. */
export interface SaturationResult {
  tool: "wrk" | "autocannon";
  /** Completed responses in the measured window. */
  requests: number;
  seconds: number;
  rps: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  /** Socket errors, timeouts and non-2xx responses. */
  errors: number;
}

export interface SaturationSpec {
  url: string;
  bodyFile: string;
  connections: number;
  seconds: number;
  /** CPU the load generator is pinned to. */
  cpu: number;
}
