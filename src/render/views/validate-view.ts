/** What `validate` shows, one view per `--format`, chosen once: its own diagnostics views, or a report format. */
import type { RunInfo } from '../reports/run-info.js';
import { diagnosticsView, type ValidateView } from './diagnostics-view.js';
import { findingsValidateView } from './findings-view.js';
import type { Output } from './output.js';

export const VALIDATE_FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type ValidateFormat = (typeof VALIDATE_FORMATS)[number];

export function validateView(format: ValidateFormat, output: Output, run: RunInfo): ValidateView {
  switch (format) {
    case 'text':
    case 'json':
      return diagnosticsView(format, output);
    case 'sarif':
    case 'github':
      return findingsValidateView(format, output, run);
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
}
