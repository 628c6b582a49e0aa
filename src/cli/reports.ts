/**
 * `--report FORMAT=FILE` (repeatable, on validate, plan, apply and show): the same run rendered in
 * several formats, each by the view its `--format` would use, into a buffer that is written to its
 * file atomically (so a textfile collector or an uploader never reads half of one) once the run
 * ends, whether it succeeded or not: a failed run still writes what its formats can say (SARIF with
 * the errors, Prometheus with `enrichctl_plan_success 0`). Everything is checked at option parsing,
 * before any request.
 */
import { resolve } from 'node:path';
import type { RunInfo } from '../render/reports/run-info.js';
import type { Output } from '../render/views/output.js';
import { UserError } from './errors.js';
import { checkOutputFile } from './files.js';
import type { Io } from './io.js';
import { VERSION } from './version.js';

/** Every format any command writes; a command supports some of them. */
export const ALL_FORMATS = ['text', 'json', 'markdown', 'sarif', 'github', 'junit', 'prometheus'] as const;

export interface ReportRequest<F extends string> {
  format: F;
  file: string;
}

/** `--report` values -> requests, or a UserError naming what is wrong (before anything else runs). */
export function parseReports<F extends string>(values: readonly string[] | undefined, supported: readonly F[], command: string): Array<ReportRequest<F>> {
  const requests: Array<ReportRequest<F>> = [];
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    const format = at < 0 ? value : value.slice(0, at);
    const file = at < 0 ? '' : value.slice(at + 1);
    if (!(ALL_FORMATS as readonly string[]).includes(format)) {
      throw new UserError(`--report ${JSON.stringify(value)}: unknown format ${JSON.stringify(format)}; give FORMAT=FILE with FORMAT one of ${supported.join(', ')}`);
    }
    if (!(supported as readonly string[]).includes(format)) {
      throw new UserError(`--report ${value}: ${command} does not write ${format}; it writes ${supported.join(', ')}`);
    }
    if (file === '') throw new UserError(`--report ${value}: give the file to write, as --report ${format}=FILE`);
    if (requests.some((r) => r.file === file)) throw new UserError(`--report ${value}: another --report already writes ${file}`);
    requests.push({ format: format as F, file });
  }
  return requests;
}

/** Refuses a report that would overwrite a manifest, or the file another output of the run writes. */
export function checkReportFiles(requests: ReadonlyArray<ReportRequest<string>>, cwd: string, taken: readonly string[]): void {
  for (const r of requests) {
    if (taken.some((p) => resolve(cwd, p) === resolve(cwd, r.file))) throw new UserError(`--report ${r.format}=${r.file}: that file is a manifest or another output of this run; write the report elsewhere`);
    const example = `report.${r.format === 'prometheus' ? 'prom' : r.format}`;
    if (/\.ya?ml$/i.test(r.file)) throw new UserError(`--report ${r.format}=${r.file}: a report named .yaml would be read as a manifest next time; name it e.g. ${example}`);
    checkOutputFile(`--report ${r.format}=`, r.file, cwd, example);
  }
}

export interface ReportSet<V> {
  /** One view per request, writing into its buffer. */
  views: V[];
  /** Writes every report whose view wrote something; the first failure is a UserError after trying all. */
  write(): Promise<void>;
  /**
   * Runs the command's work, then writes the reports, also when the work failed: `onFailure` tells
   * the views first; a failure to write is said on stderr and the work's error is the one thrown.
   */
  around<T>(work: () => Promise<T>, onFailure?: (err: unknown) => void): Promise<T>;
}

export function reportSet<F extends string, V>(requests: ReadonlyArray<ReportRequest<F>>, io: Io, makeView: (format: F, output: Output) => V): ReportSet<V> {
  const buffers = requests.map(() => ({ text: '', written: false }));
  const views = requests.map((r, i) => {
    const buffer = buffers[i]!;
    const output: Output = {
      stdout: { write: (text) => { buffer.text += text; buffer.written = true; }, colour: false },
      // Messages for people are the main view's to show, once.
      stderr: { write: () => undefined, colour: false },
    };
    return makeView(r.format, output);
  });
  return {
    views,
    write: async () => {
      if (requests.length === 0) return;
      // files.ts (and node:crypto with it) loads only when a report is written, not for every --help.
      const { FILE_MODES, writeFileAtomic } = await import('./files.js');
      const failures: string[] = [];
      for (const [i, r] of requests.entries()) {
        const buffer = buffers[i]!;
        if (!buffer.written) {
          io.stderr.write(`note: no ${r.format} report written to ${r.file}: the run ended before there was one\n`);
          continue;
        }
        await writeFileAtomic(resolve(io.cwd, r.file), buffer.text, { shown: r.file, mode: FILE_MODES[reportAccess(r.format)] })
          .catch((err: unknown) => { failures.push(err instanceof Error ? err.message : String(err)); });
      }
      if (failures.length > 0) throw new UserError(failures.join('; '));
    },
    async around(work, onFailure) {
      let result;
      try {
        result = await work();
      } catch (err) {
        onFailure?.(err);
        await this.write().catch((e: unknown) => io.stderr.write(`error: ${abortReason(e)}\n`));
        throw err;
      }
      await this.write();
      return result;
    },
  };
}

/**
 * Reports meant for other readers (code scanning, CI test views, a node_exporter running as another
 * user) are 0644; the plan and apply documents hold observed state, as saved plans do: owner only.
 */
function reportAccess(format: string): 'shared' | 'private' {
  return ['sarif', 'github', 'junit', 'prometheus'].includes(format) ? 'shared' : 'private';
}

/** What a report says about a run that stopped on an error: the error's own one-line message. */
export function abortReason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The run's facts every report format may state, read once when the command starts. */
export function runInfo(): RunInfo {
  return { version: VERSION, now: new Date() };
}
