/**
 * Saved plans (`plan --out`, `apply --plan`): the plan's JSON document (render/plan-document.ts),
 * which already holds the base URL, the manifest digest and each datastore's observed state
 * (`before`), and never the token. Written atomically, readable by its owner only (mode 0600: it
 * holds observed state); read back through the published schema plus consistency checks (each
 * operation's method and path are the route table's for its datastore, the summary adds up), so a
 * hand-edited or truncated file is refused with a clear message before anything is written.
 */
import { resolve } from 'node:path';
import type { SchemaObject } from 'ajv/dist/2020.js';
import { summarise } from '../plan/diff.js';
import { buildPlanSchema } from '../model/plan-schema.js';
import type { Plan } from '../model/plan.js';
import { planDocument, planFromDocument, type PlanDocument } from '../render/plan-document.js';
import { UserError } from './errors.js';
import { checkOutputFile, FILE_MODES, readWholeFile, writeFileAtomic } from './files.js';

let cachedPlanSchema: SchemaObject | undefined;
/**
 * The plan schema, built once: the object schemas/plan.schema.json is written from (a test keeps the
 * two byte-identical), so the bundle, which has no schemas/ beside it, needs no file.
 */
export function planSchema(): SchemaObject {
  cachedPlanSchema ??= buildPlanSchema() as SchemaObject;
  return cachedPlanSchema;
}

/** `file` as the user gave it (for messages), resolved against `cwd`. */
export async function writePlanFile(file: string, cwd: string, plan: Plan): Promise<void> {
  await writeFileAtomic(resolve(cwd, file), `${JSON.stringify(planDocument(plan), null, 2)}\n`, { shown: file, mode: FILE_MODES.private });
}

/**
 * Refuses an --out that would clobber a manifest: one of the files just read, or any YAML name
 * (a plan saved as .yaml inside a manifest folder would be read as a broken manifest next time).
 */
export function checkPlanOut(file: string, cwd: string, manifestPaths: readonly string[]): void {
  checkOutputFile('--out ', file, cwd, 'plan.json');
  if (manifestPaths.some((p) => resolve(cwd, p) === resolve(cwd, file))) {
    throw new UserError(`--out ${file} is one of the manifests being planned; save the plan elsewhere, e.g. --out plan.json`);
  }
  if (/\.ya?ml$/i.test(file)) throw new UserError(`--out ${file}: a saved plan is JSON, not a manifest; name it e.g. plan.json`);
}

/** A plan of 300,000 changed datastores fits; the file is read whole, so nothing larger is. */
const MAX_PLAN_BYTES = 512 * 2 ** 20;

export async function readPlanFile(file: string, cwd: string): Promise<Plan> {
  const whole = await readWholeFile(resolve(cwd, file), MAX_PLAN_BYTES);
  if (!whole.ok) {
    const why = whole.why === 'special' ? 'not a regular file (a device, a pipe or a socket)'
      : whole.why === 'too-large' ? `it is larger than ${MAX_PLAN_BYTES / 2 ** 20} MB, far more than plan writes (~1.4 KB a datastore)`
        : whole.code === 'ENOENT' ? 'no such file' : whole.code ?? 'unreadable';
    throw new UserError(`cannot read the saved plan ${file}: ${why}; create one with \`enrichctl plan --out plan.json\``);
  }
  const text = whole.text;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError(`${file} is not a saved plan (${/\.ya?ml$/i.test(file) ? 'it looks like a manifest' : 'it is not JSON'}); give the file that \`enrichctl plan --out plan.json\` wrote`);
  }
  // The validator (and the YAML positions its module also serves) is loaded here, not by `plan --out`.
  const { compileSchema } = await import('../source/schema-diagnostics.js');
  const validate = compileSchema<PlanDocument>(planSchema(), 'plan');
  if (!validate(data)) {
    const first = validate.errors?.[0];
    const where = first?.instancePath ? ` at ${first.instancePath}` : '';
    throw new UserError(`${file} is not a saved plan of this enrichctl version${where}: ${first?.message ?? 'invalid'}; save a new one with \`enrichctl plan --out plan.json\``);
  }
  const read = planFromDocument(data);
  const problem = read.ok ? inconsistency(read.plan) : read.problem;
  if (problem !== undefined || !read.ok) throw new UserError(`${file} has been edited and is inconsistent: ${problem}; save a new one with \`enrichctl plan --out plan.json\``);
  return read.plan;
}

/** What neither the schema nor the route table can say: each action fits its operations, and the summary adds up. */
function inconsistency(plan: Plan): string | undefined {
  for (const c of plan.changes) {
    if ((c.action === 'no-op') !== (c.operations.length === 0)) return `datastore id ${c.datastore.id} has action ${c.action} with ${c.operations.length} operations`;
  }
  const summary = summarise(plan.changes);
  if (JSON.stringify(summary) !== JSON.stringify(plan.summary)) return 'the summary does not match the changes';
  return undefined;
}
