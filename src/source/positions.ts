/** One parsed YAML document, with what is needed to point back into its file. */
import type { YamlIndex } from './yaml-index.js';

export type { SourceRange } from './yaml-index.js';

export interface YamlDocument {
  /** The file as the user named it. */
  file: string;
  /** 0-based position of the document in its file (`---` separated). */
  index: number;
  /** Where every node of the file is (`locate.ts` reads it by path). */
  nodes: YamlIndex;
  /** The document's root node in `nodes`. */
  root: number;
  /** The plain data (aliases resolved); what the schema checks. */
  data: unknown;
}
