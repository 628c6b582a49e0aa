/**
 * What `validate` shows, and the diagnostics `plan` and `apply` report before there is a plan: one
 * view per format, chosen once. Compiler-style text with the offending line, or one JSON document.
 */
import type { Diagnostic } from '../../core/diagnostics.js';
import { renderDiagnosticsJson, renderDiagnosticsText, renderSummary } from '../diagnostics.js';
import type { Output } from './output.js';


/** What was checked: the files, and the datastores and rules declared when the manifests were valid. */
export interface Checked {
  diagnostics: readonly Diagnostic[];
  sources: ReadonlyMap<string, string>;
  files: number;
  datastores?: number;
  rules?: number;
}

export interface ValidateView {
  checked(result: Checked): void;
}

/** validate's report is its product: it goes to stdout, as a compiler's does. */
export function diagnosticsView(format: 'text' | 'json', output: Output): ValidateView {
  const out = output.stdout;
  switch (format) {
    case 'text':
      return {
        checked: (r) => {
          out.write(renderDiagnosticsText(r.diagnostics, { sources: r.sources, colour: out.colour }));
          out.write(renderSummary(r.diagnostics, r));
        },
      };
    case 'json':
      return { checked: (r) => out.write(renderDiagnosticsJson(r.diagnostics)) };
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
}

/**
 * The diagnostics of planning, in every format on stderr (the product of plan and apply is the
 * plan): every error and that nothing changed, or the warnings of a plan that could be made.
 */
export interface PlanningMessages {
  failed(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): void;
  warnings(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): void;
}

export function planningMessages(output: Output): PlanningMessages {
  const err = output.stderr;
  return {
    failed: (diagnostics, sources) => {
      err.write(renderDiagnosticsText(diagnostics, { sources, colour: err.colour }));
      const n = diagnostics.filter((d) => d.severity === 'error').length;
      err.write(`Planning failed: ${n} ${n === 1 ? 'error' : 'errors'}; nothing was changed.\n`);
    },
    warnings: (diagnostics, sources) => {
      if (diagnostics.length > 0) err.write(renderDiagnosticsText(diagnostics, { sources, colour: err.colour }));
    },
  };
}
