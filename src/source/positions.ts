/** Source positions of yaml nodes, in the 1-based line:column form diagnostics use. */
import type { Document, LineCounter, Node } from 'yaml';
import type { SourcePosition } from '../core/diagnostics.js';

/** One parsed YAML document with what is needed to point back into its file. */
export interface YamlDocument {
  /** The file as the user named it. */
  file: string;
  /** 0-based position of the document in its file (`---` separated). */
  index: number;
  /** yaml's node tree: positions, keys as written. */
  tree: Document.Parsed;
  lineCounter: LineCounter;
  /** The plain data (aliases expanded); what the schema checks. */
  data: unknown;
}

export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

export function positionAt(lineCounter: LineCounter, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { line: Math.max(line, 1), column: Math.max(col, 1) };
}

export function offsetRange(lineCounter: LineCounter, start: number, end: number): SourceRange {
  return { start: positionAt(lineCounter, start), end: positionAt(lineCounter, Math.max(end, start)) };
}

/** A node's value range (yaml's `range[0]..range[1]`, without trailing comments). */
export function nodeRange(lineCounter: LineCounter, node: Node): SourceRange | undefined {
  return node.range ? offsetRange(lineCounter, node.range[0], node.range[1]) : undefined;
}
