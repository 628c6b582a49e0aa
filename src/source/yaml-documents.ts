/**
 * Parses YAML text into plain data with positions, refusing everything beyond plain data: duplicate
 * keys, tags, non-scalar keys, recursive aliases, alias expansion past a bound, nesting past a
 * bound. Every refusal is a diagnostic; nothing here throws for bad input.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../core/diagnostics.js';
import { fastParse, PARSE_OPTIONS } from './fast-yaml.js';
import { LIMITS } from './limits.js';
import { nodeRange, offsetRange, type YamlDocument } from './positions.js';
import { thousands } from '../core/format.js';

export interface YamlReadResult {
  /** The non-empty documents that are plain data; documents with problems are left out. */
  documents: YamlDocument[];
  diagnostics: Diagnostic[];
}

export function readYamlDocuments(file: string, text: string): YamlReadResult {
  const diagnostics: Diagnostic[] = [];
  const documents: YamlDocument[] = [];
  const lineCounter = new LineCounter();
  // Plain block manifests (nearly all of them) are read by the fast path, which builds exactly what
  // yaml would and is several times quicker; anything outside its subset goes to yaml unchanged.
  const fast = fastParse(text, lineCounter);
  const parsed = fast ? [fast] : parseAllDocuments(text, { lineCounter, ...PARSE_OPTIONS });
  const trees = Array.isArray(parsed) ? parsed : [];
  let nonEmpty = 0;
  trees.forEach((tree, index) => {
    const error = (code: string, message: string, start: number, end: number): Diagnostic => ({
      severity: 'error',
      file,
      ...offsetRange(lineCounter, start, end),
      message,
      code,
    });
    if (tree.errors.length > 0) {
      nonEmpty += 1;
      // yaml's errors cascade (one bad indent yields several); the first is the one to fix.
      const exhausted = tree.errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
      const first = exhausted ?? tree.errors[0];
      if (first) {
        diagnostics.push(
          exhausted
            ? error('yaml-too-deep', `nesting is too deep to read (more than ${LIMITS.maxDepth} levels are refused)`, first.pos[0], first.pos[0])
            : error('yaml-syntax', `invalid YAML: ${first.message}`, first.pos[0], first.pos[1]),
        );
      }
      return;
    }
    if (isEmptyDocument(tree)) return;
    nonEmpty += 1;
    const problems = checkPlainData(file, text, tree, lineCounter);
    if (problems.length > 0) {
      diagnostics.push(...problems);
      return;
    }
    let data: unknown;
    try {
      data = tree.toJS({ maxAliasCount: LIMITS.maxAliasCount });
    } catch (err) {
      const at = firstAliasOffset(tree) ?? tree.contents?.range?.[0] ?? 0;
      const bomb = err instanceof Error && /alias count/i.test(err.message);
      diagnostics.push(
        bomb
          ? error('yaml-alias-limit', `aliases expand to too much data (more than ${thousands(LIMITS.maxAliasCount)} nodes): refused as a possible YAML bomb`, at, at)
          : error('yaml-syntax', `invalid YAML: ${err instanceof Error ? err.message : String(err)}`, at, at),
      );
      return;
    }
    documents.push({ file, index, tree, lineCounter, data });
  });
  if (nonEmpty === 0) {
    diagnostics.push({ severity: 'error', file, message: 'file is empty: no YAML content', code: 'empty-file' });
  }
  return { documents, diagnostics };
}

/** Nothing but comments, or a bare `---`. */
function isEmptyDocument(tree: Document.Parsed): boolean {
  const contents = tree.contents;
  if (contents === null) return true;
  return isScalar(contents) && contents.value === null && contents.range !== undefined && contents.range[0] === contents.range[1];
}

/** Walks the node tree once (iteratively: depth is untrusted) and reports what is not plain data. */
function checkPlainData(file: string, text: string, tree: Document.Parsed, lineCounter: LineCounter): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const at = (node: Node, code: string, message: string): void => {
    const range = nodeRange(lineCounter, node);
    problems.push({ severity: 'error', file, ...(range ?? {}), message, code });
  };
  const stack: Array<{ node: unknown; depth: number }> = [{ node: tree.contents, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item) break;
    const { node, depth } = item;
    if (isAlias(node)) {
      const target = node.resolve(tree);
      if (target?.range && node.range && node.range[0] >= target.range[0] && node.range[0] < target.range[1]) {
        at(node, 'yaml-recursive-alias', `alias *${node.source} refers to a node that contains it: recursive data is not allowed`);
      }
      continue;
    }
    if ((isScalar(node) || isCollection(node)) && node.tag) {
      const tag = findTag(text, node.range?.[0] ?? 0);
      const message = `YAML tags are not allowed (found ${tag?.text ?? shortTag(node.tag)}): write plain data`;
      if (tag) problems.push({ severity: 'error', file, ...offsetRange(lineCounter, tag.start, tag.start + tag.text.length), message, code: 'yaml-tag' });
      else at(node, 'yaml-tag', message);
    }
    if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value) && !Number.isSafeInteger(node.value)) {
      problems.push(unsafeInteger(file, text, node.value, node.range, lineCounter));
    }
    if (!isCollection(node)) continue;
    if (depth >= LIMITS.maxDepth) {
      at(node, 'yaml-too-deep', `nesting is too deep (more than ${LIMITS.maxDepth} levels)`);
      return problems;
    }
    const firstKey = new Map<string, Node>();
    // Reversed so that the stack pops items, and so reports, in source order.
    for (let i = node.items.length - 1; i >= 0; i--) {
      const entry = node.items[i];
      if (isPair(entry)) {
        stack.push({ node: entry.value, depth: depth + 1 });
        stack.push({ node: entry.key, depth: depth + 1 });
      } else {
        stack.push({ node: entry, depth: depth + 1 });
      }
    }
    if (!isMap(node)) continue;
    for (const pair of node.items) {
      const key = pair.key;
      if (!isScalar(key)) {
        if (isCollection(key)) at(key, 'yaml-complex-key', 'keys must be plain strings, not lists or mappings');
        continue;
      }
      const name = String(key.value);
      const first = firstKey.get(name);
      if (first) {
        const firstAt = nodeRange(lineCounter, first)?.start;
        at(key, 'duplicate-key', `duplicate key "${name}"${firstAt ? ` (first at line ${firstAt.line}, column ${firstAt.column})` : ''}`);
      } else {
        firstKey.set(name, key);
      }
    }
  }
  return sortByPosition(problems);
}

/**
 * An integer beyond 2^53 - 1 has already been rounded by the time it is a JS number (yaml and the
 * fast path both make numbers), so `datastore: 9007199254740993` would silently address datastore
 * ...992. Refused here, quoting what was written, while the source text is at hand.
 */
function unsafeInteger(file: string, text: string, value: number, range: readonly number[] | undefined | null, lineCounter: LineCounter): Diagnostic {
  const start = range?.[0] ?? 0;
  const end = range?.[1] ?? start;
  const written = text.slice(start, end).trim() || String(value);
  const read = String(value);
  return {
    severity: 'error',
    file,
    ...offsetRange(lineCounter, start, end),
    message: `${written} is too ${value > 0 ? 'large' : 'small'} to be read exactly (integers are exact ${value > 0 ? 'up to' : 'down to'} ${thousands(Math.sign(value) * Number.MAX_SAFE_INTEGER)}, ${value > 0 ? '2^53 - 1' : '-(2^53 - 1)'})${/e/i.test(read) ? '' : `: it would be read as ${read}`}`,
    code: 'unsafe-integer',
    hints: ['check the number: no datastore id or setting is this large'],
  };
}

/** The tag as written (`!secret`, `!!int`), which precedes its node, possibly on the line before. */
function findTag(text: string, nodeStart: number): { start: number; text: string } | undefined {
  let end = nodeStart;
  while (end > 0 && /\s/.test(text[end - 1] ?? '')) end--;
  let start = end;
  while (start > 0 && !/\s/.test(text[start - 1] ?? '')) start--;
  const written = text.slice(start, end);
  return written.startsWith('!') ? { start, text: written } : undefined;
}

function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

function sortByPosition(list: Diagnostic[]): Diagnostic[] {
  return list.sort((a, b) => (a.start?.line ?? 0) - (b.start?.line ?? 0) || (a.start?.column ?? 0) - (b.start?.column ?? 0));
}

function firstAliasOffset(tree: Document.Parsed): number | undefined {
  const stack: unknown[] = [tree.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) return node.range?.[0];
    if (isPair(node)) {
      stack.push(node.value, node.key);
    } else if (isCollection(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    }
  }
  return undefined;
}
