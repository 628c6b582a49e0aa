/** What `validate` shows, one view per `--format`, chosen once: its own diagnostics views, or a report format. */
import type { RunInfo } from '../reports/run-info.js';
import { diagnosticsView, type ValidateView } from './diagnostics-view.js';
import { findingsValidateView } from './findings-view.js';
import type { Output } from './output.js';

import type { ValidateFormat } from './formats.js';

export { VALIDATE_FORMATS, type ValidateFormat } from './formats.js';

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
