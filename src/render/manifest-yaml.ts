/**
 * Manifests as YAML text, for `enrichctl export`: the yaml library writes the values (so every name
 * is quoted exactly when YAML needs it), with a header comment, a blank line between entries, and a
 * trailing comment on every value exported by id saying why. Same input, same bytes.
 */
import { Document, isMap, isScalar, isSeq } from 'yaml';
import type { ExportEntry } from '../manifest/export.js';

/** The first line of every exported file: how a later export recognises the files it may replace. */
export const EXPORT_MARKER = 'Exported by `enrichctl export`';

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
    });
  }
  return doc.toString({ lineWidth: 0, indentSeq: true });
}

function annotate(node: unknown, note: string | undefined): void {
  if (note !== undefined && isScalar(node)) node.comment = ` ${note}`;
}
