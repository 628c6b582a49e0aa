/** `enrichctl export`'s handler, loaded only when the command runs (`export.ts` defines the command). */
import { readdir, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { quoteText } from '../../core/visible-text.js';
import { LIMITS } from '../../source/limits.js';
import type { ExportFormat } from '../../render/views/formats.js';
import type { QualyticsClient } from '../../api/client.js';
import { lookUpNames, observe, readByIds } from '../../api/observe.js';
import { seedFromLive } from '../../export/seed.js';
import { exportEntries, exportGroups, type ExportEntry, type ExportGroup } from '../../export/entries.js';
import type { Observation } from '../../model/observation.js';
import { EXPORT_MARKER, exportFileState, manifestValue, renderManifestYaml, renderSeedYaml, sealExport, type ExportFileState } from '../../render/manifest-yaml.js';
import { connect, withClient } from '../connect.js';
import type { ConnectedFlags } from '../connection-options.js';
import { UserError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { FILE_MODES, makeDirectory, readWholeFile, writeFileAtomic } from '../files.js';
import { interruptible, type Io } from '../io.js';

export interface ExportCommandOptions extends ConnectedFlags {
  /** Names or ids; empty exports every datastore the token can read. */
  datastores: string[];
  output?: string;
  byId: boolean;
  /** Given, or else JSON for an --output ending in .json and YAML otherwise. */
  format: ExportFormat;
}

export async function runExport(options: ExportCommandOptions, io: Io): Promise<ExitCode> {
  const target = options.output === undefined ? undefined : await outputKind(resolve(io.cwd, options.output), options.output);
  if (target === 'dir' && options.format !== 'yaml') {
    throw new UserError(`--format ${options.format} writes one document: give --output a file name (e.g. ${options.format === 'json' ? 'live.json' : 'rehearsal.yaml'}), or no --output for stdout`);
  }
  if (target === 'dir' && options.datastores.length > 0) {
    throw new UserError('--output DIR writes a complete export (one file per enrichment datastore); export a selection with --datastore to stdout or to one file');
  }
  if (target === 'file') await checkReplaceable([resolve(io.cwd, options.output!)], [options.output!], options.format);
  if (options.format === 'seed') return exportSeed(options, io);
  const client = await connect(options, io);
  const { observation, only } = await withClient(client, io, () => interruptible(readLive(client, options.datastores), io.signal));
  const select = { byId: options.byId, ...(only ? { only } : {}) };
  const header = [`${EXPORT_MARKER} from ${client.baseUrl}.`];
  const schemaLine = (fileDir: string): string[] => {
    const schema = installedSchema(io.cwd);
    return schema ? [`yaml-language-server: $schema=${relative(fileDir, schema).split(sep).join('/')}`] : [];
  };

  if (target === 'dir') {
    const dir = resolve(io.cwd, options.output!);
    header.push(...schemaLine(dir));
    const groups = exportGroups(observation, select);
    const written = await writeGroups(dir, options.output!, groups, header);
    const entries = written.files.reduce((n, f) => n + f.count, 0);
    io.stderr.write(`Exported ${count(entries, 'datastore')} to ${options.output} in ${count(written.files.length, 'file')}: ${written.files.map((f) => f.name).join(', ')}.\n`);
    warnLeftOut(groups.flatMap((g) => g.entries), io);
    if (written.removed.length > 0) {
      io.stderr.write(`Removed ${written.removed.join(', ')}: an earlier export wrote ${written.removed.length === 1 ? 'it' : 'them'}, and no datastore belongs there now.\n`);
    }
    if (written.others.length > 0) {
      io.stderr.write(`warning: ${options.output} also holds ${written.others.join(', ')}, which export did not write or someone edited; \`enrichctl plan ${options.output}\` reads them too (a datastore declared twice is an error)\n`);
    }
    return EXIT.ok;
  }
  const entries = exportEntries(observation, select);
  const fileDir = options.output === undefined ? io.cwd : dirname(resolve(io.cwd, options.output));
  const text = options.format === 'json'
    ? `${JSON.stringify(manifestValue(entries), null, 2)}\n`
    : sealExport(renderManifestYaml(entries, [...header, ...schemaLine(fileDir)]));
  if (options.output === undefined) {
    io.stdout.write(text);
  } else {
    await writeFileAtomic(resolve(io.cwd, options.output), text, { shown: options.output, mode: FILE_MODES.shared });
    io.stderr.write(`Exported ${count(entries.length, 'datastore')} to ${options.output}.\n`);
  }
  warnLeftOut(entries, io);
  return EXIT.ok;
}

/** Says which live values export left out because a manifest cannot hold them (`ExportEntry.leftOut`). */
function warnLeftOut(entries: readonly ExportEntry[], io: Io): void {
  const some = entries.filter((e) => e.leftOut !== undefined);
  if (some.length === 0) return;
  const named = some.slice(0, 5).map((e) => `${typeof e.datastore === 'number' ? `id ${e.datastore}` : quoteText(e.datastore)} (${e.leftOut!.map((l) => l.key).join(', ')})`).join(', ') + (some.length > 5 ? ` and ${some.length - 5} more` : '');
  io.stderr.write(`warning: ${count(some.length, 'datastore')} ${some.length === 1 ? 'has' : 'have'} a live value a manifest cannot hold (a prefix the server derived from a long name, or one without a letter or digit), left out of the export so that plan leaves it as it is: ${named}\n`);
}

/**
 * The manifest schema of the enrichctl installed in the config repository (as a dev dependency),
 * for the editor-completion comment; a path inside the repository, so the export stays the same on
 * every machine. None when enrichctl is not installed there.
 */
function installedSchema(cwd: string): string | undefined {
  const path = join(cwd, 'node_modules', 'enrichctl', 'schemas', 'enrichment-manifest.schema.json');
  return existsSync(path) ? path : undefined;
}

/**
 * An existing directory, or a new path without an extension, is a directory; a path ending in
 * .yaml/.yml/.json is a file; anything else is refused rather than guessed.
 */
async function outputKind(path: string, shown: string): Promise<'file' | 'dir'> {
  try {
    if ((await stat(path)).isDirectory()) return 'dir';
  } catch {
    // Not there yet: decided by its name.
  }
  if (/\.(ya?ml|json)$/i.test(path)) return 'file';
  if (!/\.[^/\\]*$/.test(basename(path))) return 'dir';
  throw new UserError(`--output ${shown}: give a .yaml, .yml or .json file, or a directory`);
}

/**
 * `--format seed`: the deployment as an emulator seed, for rehearsing a change on a copy. Every
 * datastore of both kinds, each read by id when the listing left out its teams or tags.
 */
async function exportSeed(options: ExportCommandOptions, io: Io): Promise<ExitCode> {
  const client = await connect(options, io);
  const seed = await withClient(client, io, () => interruptible((async () => {
    const [{ observation }, me] = await Promise.all([observe(client, { sources: [], targets: [], everything: true }), client.me()]);
    const thin = [...observation.datastores.values()].filter((d) => d.details?.teams === undefined || d.details.tags === undefined).map((d) => d.id);
    await readByIds(client, observation, thin);
    return seedFromLive(observation, me);
  })(), io.signal));
  const header = [
    `${EXPORT_MARKER} from ${client.baseUrl} as an emulator seed, with placeholder tokens.`,
    'Rehearse on it: enrichctl emulator --seed THIS_FILE (add --put full for a server that wants whole-datastore PUTs).',
  ];
  const text = sealExport(renderSeedYaml(seed, header));
  if (options.output === undefined) {
    io.stdout.write(text);
  } else {
    await writeFileAtomic(resolve(io.cwd, options.output), text, { shown: options.output });
    io.stderr.write(`Exported ${count(seed.datastores.length, 'datastore')} and ${count(seed.users.length, 'user')} to ${options.output}; run \`enrichctl emulator --seed ${options.output}\` to rehearse on it.\n`);
  }
  return EXIT.ok;
}

async function readLive(client: QualyticsClient, selection: readonly string[]): Promise<{ observation: Observation; only?: Set<number> }> {
  if (selection.length === 0) {
    return { observation: (await observe(client, { sources: [], targets: [], everything: true })).observation };
  }
  const refs = selection.map((s) => (/^[1-9]\d*$/.test(s) ? Number(s) : s));
  const { observation } = await observe(client, { sources: refs, targets: [] });
  const only = new Set<number>();
  const problems: string[] = [];
  for (const ref of refs) {
    const ids = typeof ref === 'number' ? (observation.datastores.has(ref) ? [ref] : []) : (observation.names.get(ref) ?? []);
    if (typeof ref === 'number' && observation.denied.has(ref)) problems.push(`the token may not read datastore id ${ref}: ${observation.denied.get(ref)}`);
    else if (ids.length === 0) problems.push(`--datastore ${JSON.stringify(String(ref))} matches no datastore visible to this token`);
    for (const id of ids) {
      if (observation.datastores.get(id)?.enrichment_only) problems.push(`--datastore ${JSON.stringify(String(ref))} is an enrichment-only datastore: it has no enrichment settings of its own`);
      else only.add(id);
    }
  }
  if (problems.length > 0) throw new UserError(`nothing was exported:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  // The names of the linked enrichment datastores: exported by name only where that name is unique.
  const targets = [...only].flatMap((id) => {
    const link = observation.datastores.get(id)?.state?.enrich_datastore;
    return link ? [link.name] : [];
  });
  await lookUpNames(client, observation, targets);
  return { observation, only };
}

interface WrittenFile {
  name: string;
  count: number;
}

/** What is at a path export is about to write, as far as export may replace it. */
async function stateOf(path: string, format: ExportFormat): Promise<'absent' | ExportFileState> {
  // A device, a pipe or a socket, or more than all manifests together may be, is nothing export
  // wrote: never read (/dev/zero would fill memory, a pipe hold it for ever), never replaced.
  const read = await readWholeFile(path, LIMITS.maxTotalBytes);
  if (!read.ok) return read.why === 'absent' ? 'absent' : 'not-an-export';
  const text = read.text;
  // JSON has no comments to carry a mark: a file of exactly the exported shape is taken as an export.
  return format === 'json' ? (isJsonExport(text) ? 'unedited-export' : 'not-an-export') : exportFileState(text);
}

function isJsonExport(text: string): boolean {
  try {
    const doc = JSON.parse(text) as { version?: unknown; datastores?: unknown };
    return doc.version === 1 && Array.isArray(doc.datastores) && Object.keys(doc).length === 2;
  } catch {
    return false;
  }
}

/** Refuses, before anything is written, to replace a file export did not write or that someone edited. */
async function checkReplaceable(paths: readonly string[], shown: readonly string[], format: ExportFormat): Promise<void> {
  const blocked: string[] = [];
  for (const [i, path] of paths.entries()) {
    const state = await stateOf(path, format);
    if (state === 'not-an-export') blocked.push(`${shown[i]} (export did not write it)`);
    if (state === 'edited-export') blocked.push(`${shown[i]} (edited since it was exported)`);
  }
  if (blocked.length > 0) {
    throw new UserError(`nothing was exported: it would overwrite ${blocked.join(', ')}; export elsewhere, or move ${blocked.length === 1 ? 'that file' : 'those files'} away first`);
  }
}

/**
 * One file per enrichment datastore, plus unlinked.yaml. Files an earlier export wrote and nobody
 * edited are replaced or, when no longer produced, removed; any other file is never overwritten or
 * removed: the export is refused before anything is written.
 */
async function writeGroups(dir: string, shown: string, groups: readonly ExportGroup[], header: readonly string[]):
  Promise<{ files: WrittenFile[]; removed: string[]; others: string[] }> {
  await makeDirectory(dir, shown);
  const used = new Set<string>();
  const planned = groups.map((group) => ({ group, name: fileName(group, used) }));
  await checkReplaceable(planned.map((p) => join(dir, p.name)), planned.map((p) => join(shown, p.name)), 'yaml');
  const stale: string[] = [];
  const others: string[] = [];
  for (const entry of (await readdir(dir)).sort()) {
    if (!/\.ya?ml$/i.test(entry) || used.has(entry)) continue;
    if ((await stateOf(join(dir, entry), 'yaml')) === 'unedited-export') stale.push(entry);
    else others.push(entry);
  }
  const files: WrittenFile[] = [];
  for (const { group, name } of planned) {
    const lines = [
      ...header,
      group.enrichment ? `Datastores linked to ${JSON.stringify(group.enrichment.name)} (id ${group.enrichment.id}).` : 'Datastores with no enrichment datastore linked.',
    ];
    await writeFileAtomic(join(dir, name), sealExport(renderManifestYaml(group.entries, lines)), { shown: join(shown, name), mode: FILE_MODES.shared });
    files.push({ name, count: group.entries.length });
  }
  for (const name of stale) await rm(join(dir, name));
  return { files, removed: stale, others };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function fileName(group: ExportGroup, used: Set<string>): string {
  const base = group.enrichment ? slug(group.enrichment.name) || `enrichment-${group.enrichment.id}` : 'unlinked';
  let name = `${base}.yaml`;
  // A name taken (or `unlinked`'s) gets the id; should that be taken too (another name's slug ends in
  // the same digits: "x 100" beside "x#" of id 100), a count after it. Groups come sorted: same names each time.
  for (let n = 1; used.has(name) || (group.enrichment && name === 'unlinked.yaml'); n++) name = `${base}-${group.enrichment?.id}${n > 1 ? `-${n}` : ''}.yaml`;
  used.add(name);
  return name;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
}
