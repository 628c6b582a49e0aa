/** What a report says about the run that made it; the CLI fills it in once (views read no clock). */
export interface RunInfo {
  /** enrichctl's version (SARIF's tool driver). */
  version: string;
  /** When the run started (Prometheus' last-run timestamp). */
  now: Date;
}
