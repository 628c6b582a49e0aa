/** What `explain` shows, one view per `--format`, chosen once; manifest diagnostics go to stderr in both. */
import type { Diagnostic } from '../../core/diagnostics.js';
import type { Explanation } from '../../model/explanation.js';
import { renderDiagnosticsText } from '../diagnostics.js';
import { renderExplainText } from '../explain-text.js';
import type { Output } from './output.js';

import type { ExplainFormat } from './formats.js';

export { EXPLAIN_FORMATS, type ExplainFormat } from './formats.js';

export interface ExplainView {
  /** Manifest errors (nothing was read from the API) or warnings. */
  diagnostics(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): void;
  explained(explanation: Explanation): void;
}

export function explainView(format: ExplainFormat, output: Output): ExplainView {
  const diagnostics: ExplainView['diagnostics'] = (list, sources) => {
    if (list.length > 0) output.stderr.write(renderDiagnosticsText(list, { sources, colour: output.stderr.colour }));
  };
  switch (format) {
    case 'text':
      return { diagnostics, explained: (e) => output.stdout.write(renderExplainText(e)) };
    case 'json':
      return { diagnostics, explained: (e) => output.stdout.write(`${JSON.stringify(e, null, 2)}\n`) };
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
}
