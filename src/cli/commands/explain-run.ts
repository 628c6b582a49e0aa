/** `enrichctl explain`'s handler, loaded only when the command runs (`explain.ts` defines the command). */
import { observeOne } from '../../api/observe-one.js';
import { lookUpNames } from '../../api/observe.js';
import { explainDatastore, linkNamesToCompare } from '../../plan/explain.js';
import { describeRefusal } from '../../render/explain-text.js';
import { explainView, type ExplainFormat } from '../../render/views/explain-view.js';
import { connect, withClient } from '../connect.js';
import type { ConnectedFlags } from '../connection-options.js';
import { UserError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { interruptible, outputOf, type Io } from '../io.js';
import { readDesired } from '../planning.js';

export interface ExplainOptions extends ConnectedFlags {
  datastore: string;
  paths: string[];
  format: ExplainFormat;
  color: boolean;
}

export async function runExplain(options: ExplainOptions, io: Io): Promise<ExitCode> {
  const view = explainView(options.format, outputOf(io, !options.color));
  const desired = await readDesired(options.paths, io);
  if (!desired.ok) {
    view.diagnostics(desired.diagnostics, desired.sources);
    const n = desired.diagnostics.filter((d) => d.severity === 'error').length;
    throw new UserError(`the manifests have ${n} ${n === 1 ? 'error' : 'errors'}; nothing was read from the API`);
  }
  view.diagnostics(desired.warnings, desired.sources);
  const client = await connect(options, io);
  const observation = await withClient(client, io, () => interruptible((async () => {
    const observed = await observeOne(client, options.datastore);
    // Links rules give by name and by id are compared as the datastores they name: those names are read too.
    await lookUpNames(client, observed, linkNamesToCompare(desired, observed, options.datastore), 'enrichment');
    return observed;
  })(), io.signal));
  const result = explainDatastore(desired, observation, options.datastore);
  if (!result.ok) throw new UserError(describeRefusal(result.refusal));
  view.explained(result.explanation);
  return EXIT.ok;
}
