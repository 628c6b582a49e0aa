/**
 * Manifests as YAML text, for `enrichctl export`: the yaml library writes the values (so every name
 * is quoted exactly when YAML needs it), with a header comment, a blank line between entries, a
 * trailing comment on every value exported by id saying why, and a comment above an entry naming
 * the live values left out of it. Same input, same bytes.
 */
import { createHash } from 'node:crypto';
import { Document, isMap, isScalar, isSeq, visit } from 'yaml';
import type { Seed } from '../core/seed-types.js';
import type { ExportEntry } from '../export/entries.js';

/** The first line of every exported file: how a later export recognises the files it wrote. */
export const EXPORT_MARKER = 'Exported by `enrichctl export`';

const DIGEST_LINE = /^# export-digest: sha256:([0-9a-f]{16})\r?\n/m;

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * Adds, as the second line, a digest of everything else, so that a later export can tell a file it
 * wrote and nobody touched (safe to replace) from one a person edited (never replaced). Same input,
 * same digest: re-exporting an unchanged deployment still changes no byte.
 */
export function sealExport(text: string): string {
  const newline = text.indexOf('\n') + 1;
  return `${text.slice(0, newline)}# export-digest: sha256:${digest(text)}\n${text.slice(newline)}`;
}

export type ExportFileState = 'unedited-export' | 'edited-export' | 'not-an-export';

export function exportFileState(text: string): ExportFileState {
  if (!text.startsWith(`# ${EXPORT_MARKER}`)) return 'not-an-export';
  const match = DIGEST_LINE.exec(text);
  if (!match || match.index !== text.indexOf('\n') + 1) return 'edited-export';
  const rest = text.slice(0, match.index) + text.slice(match.index + match[0].length);
  return digest(rest) === match[1] ? 'unedited-export' : 'edited-export';
}

export function manifestValue(entries: readonly ExportEntry[]): { version: 1; datastores: object[] } {
  return {
    version: 1,
    datastores: entries.map((e) => ({ datastore: e.datastore, enrichment_datastore: e.enrichment_datastore, ...e.settings })),
  };
}

export function renderManifestYaml(entries: readonly ExportEntry[], header: readonly string[]): string {
  const doc = new Document(manifestValue(entries));
  doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
  const list = doc.get('datastores', true);
  if (isSeq(list)) {
    list.items.forEach((item, i) => {
      if (!isMap(item)) return;
      if (i > 0) item.spaceBefore = true;
      const entry = entries[i]!;
      annotate(item.get('datastore', true), entry.datastoreNote);
      annotate(item.get('enrichment_datastore', true), entry.enrichmentNote);
      if (entry.leftOut) item.commentBefore = entry.leftOut.map((l) => ` ${l.key} ${JSON.stringify(l.value)} left out: ${l.problem}; it stays as it is`).join('\n');
    });
  }
  return portable(doc);
}

/** An emulator seed as YAML, with a header comment; same input, same bytes. */
export function renderSeedYaml(seed: Seed, header: readonly string[]): string {
  const doc = new Document(seed);
  doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
  return portable(doc);
}

/** What YAML 1.1 readers refuse in a file (PyYAML: "unacceptable character"), or a terminal obeys: DEL, C1 controls, bidi controls, line and paragraph separators, a byte-order mark. */
const UNPRINTABLE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
const NEEDS_QUOTES = new RegExp(`[\\u0000-\\u001f${UNPRINTABLE.source.slice(1, -1)}]`);

/**
 * The document's text, every string holding a tab, another control character or one of
 * UNPRINTABLE double-quoted, and those written as `\uXXXX`: YAML 1.2 allows a tab inside a plain
 * scalar, which is how the `yaml` library writes it, and that library writes C1 and bidi controls
 * as they are even when quoting, but YAML 1.1 readers (PyYAML, in the scripts a config repository
 * runs) refuse both. Outside double quotes such a character can only be in a comment (a note
 * quoting a name), where the escape is as readable.
 */
function portable(doc: Document): string {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && NEEDS_QUOTES.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0, indentSeq: true }).replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function annotate(node: unknown, note: string | undefined): void {
  if (note !== undefined && isScalar(node)) node.comment = ` ${note}`;
}
