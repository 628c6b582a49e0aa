/**
 * Parses YAML text into plain data with positions, refusing everything beyond plain data: duplicate
 * keys, tags, non-scalar keys, recursive aliases, alias expansion past a bound, nesting past a
 * bound. Every refusal is a diagnostic; nothing here throws for bad input.
 *
 * js-yaml reads the text (values by `yaml-schema.ts`, YAML 1.2's core schema as `yaml` resolves
 * it); its listener builds the position index and notes what is not plain data (`yaml-events.ts`).
 */
import { loadAll, YAMLException } from 'js-yaml';
import { byPosition, type Diagnostic } from '../core/diagnostics.js';
import { thousands } from '../core/format.js';
import { LIMITS } from './limits.js';
import type { YamlDocument } from './positions.js';
import { IndexBuilder, type AliasUse, type Finding } from './yaml-events.js';
import { NodeKind, type YamlIndex } from './yaml-index.js';
import { CORE_SCHEMA } from './yaml-schema.js';

export interface YamlReadResult {
  /** The non-empty documents that are plain data; documents with problems are left out. */
  documents: YamlDocument[];
  diagnostics: Diagnostic[];
}

/**
 * js-yaml's own bound on nested nodes, which keeps its recursive reader off the stack's limit. It
 * counts nodes, not collections, and may count a node twice: the bound on collections is ours.
 */
const READER_DEPTH = 2 * LIMITS.maxDepth + 8;

const TOO_DEEP = `nesting is too deep (more than ${LIMITS.maxDepth} levels)`;

export function readYamlDocuments(file: string, text: string): YamlReadResult {
  const diagnostics: Diagnostic[] = [];
  const documents: YamlDocument[] = [];
  const builder = new IndexBuilder(text);
  const nodes = builder.index;
  nodes.base = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const error = (code: string, message: string, start: number, end: number = start): Diagnostic => ({
    severity: 'error', file, ...nodes.offsetRange(start, end), message, code,
  });
  let failure: Diagnostic | undefined;
  const misread = misreadByJsYaml(text);
  if (misread) return { documents, diagnostics: [error('yaml-syntax', `invalid YAML: ${misread.message}`, misread.at - nodes.base)] };
  try {
    // `maxDepth` and the state's `tag` and `anchor` are js-yaml 4's (lib/loader.js), not in its typings.
    const options = { schema: CORE_SCHEMA, json: true, listener: builder.listener, maxDepth: READER_DEPTH };
    loadAll(text, null, options as unknown as Parameters<typeof loadAll>[2]);
  } catch (err) {
    if (!(err instanceof YAMLException)) throw err;
    const at = errorOffset(text, nodes.base, err);
    // The character where reading stopped (none at the end of the file).
    failure = /exceeded maxDepth/.test(err.reason) ? error('yaml-too-deep', TOO_DEEP, at) : error('yaml-syntax', `invalid YAML: ${err.reason}`, at, at + 1);
  }
  const roots = builder.roots;
  // The document being read when js-yaml stopped is the one the error is in.
  if (failure && !builder.open) roots.pop();
  let nonEmpty = failure ? 1 : 0;
  roots.forEach(({ node: root, value, height }, index) => {
    if (nodes.kind(root) === NodeKind.Empty) return;
    nonEmpty++;
    const next = roots[index + 1]?.node ?? Infinity;
    const inDocument = ({ node }: { node: number }): boolean => node >= root && node < next;
    if (height > LIMITS.maxDepth) {
      const deep = tooDeep(nodes, root);
      diagnostics.push(error('yaml-too-deep', TOO_DEEP, nodes.starts[deep] ?? 0, nodes.ends[deep] ?? 0));
      return;
    }
    const findings = builder.findings.filter(inDocument);
    if (findings.length > 0) {
      diagnostics.push(...findings.map((finding) => describe(file, nodes, finding)).sort(byPosition));
      return;
    }
    const aliases = builder.aliases.filter(inDocument);
    if (aliases.length > 0 && exceedsAliasLimit(nodes, aliases)) {
      const at = nodes.starts[aliases[0]?.node ?? root] ?? 0;
      diagnostics.push(error('yaml-alias-limit', `aliases expand to too much data (more than ${thousands(LIMITS.maxAliasCount)} nodes): refused as a possible YAML bomb`, at));
      return;
    }
    documents.push({ file, index, nodes, root, data: value });
  });
  if (failure) diagnostics.push(failure);
  if (nonEmpty === 0) {
    diagnostics.push({ severity: 'error', file, message: 'file is empty: no YAML content', code: 'empty-file' });
  }
  return { documents, diagnostics };
}

/**
 * Text that js-yaml reads otherwise than YAML 1.2 (and `yaml`): refused rather than guessed. It
 * breaks lines at a lone carriage return, and starts a document at `---` even when text follows.
 */
function misreadByJsYaml(text: string): { at: number; message: string } | undefined {
  const cr = /\r(?!\n)/.exec(text);
  if (cr) return { at: cr.index, message: 'a carriage return without a line feed (\\r): end lines with LF or CRLF' };
  const marker = /^---[^\s]/m.exec(text);
  if (marker) return { at: marker.index, message: 'a line that starts with "---" starts a document: put a space after it, or quote the text' };
  return undefined;
}

/**
 * Where js-yaml stopped, moved to what `yaml` pointed at: an unknown alias's `*`, not its end; a
 * badly indented line's start, not its first character.
 */
function errorOffset(text: string, base: number, err: YAMLException): number {
  const at = err.mark?.position ?? 0;
  if (err.reason.startsWith('unidentified alias')) return Math.max(0, text.lastIndexOf('*', at + base) - base);
  if (err.reason.startsWith('bad indentation')) return Math.max(0, text.lastIndexOf('\n', at + base - 1) + 1 - base);
  return at;
}

function describe(file: string, nodes: YamlIndex, finding: Finding): Diagnostic {
  const at = { severity: 'error' as const, file, ...nodes.offsetRange(finding.start, finding.end), code: finding.code };
  switch (finding.code) {
    case 'yaml-tag':
      return { ...at, message: `YAML tags are not allowed (found ${finding.text}): write plain data` };
    case 'yaml-complex-key':
      return { ...at, message: 'keys must be plain strings, not lists or mappings' };
    case 'duplicate-key': {
      const first = nodes.position(nodes.starts[finding.first ?? 0] ?? 0);
      return { ...at, message: `duplicate key "${finding.text}" (first at line ${first.line}, column ${first.column})` };
    }
    case 'yaml-recursive-alias':
      return { ...at, message: `alias ${finding.text} refers to a node that contains it: recursive data is not allowed` };
    case 'yaml-syntax':
      return { ...at, message: `invalid YAML: ${finding.text}` };
    case 'unsafe-integer':
      return { ...at, ...unsafeInteger(finding.text, finding.value ?? 0) };
  }
}

/**
 * An integer beyond 2^53 - 1 has already been rounded by the time it is a JS number, so
 * `datastore: 9007199254740993` would silently address datastore ...992. Refused, quoting what was
 * written.
 */
function unsafeInteger(written: string, value: number): Pick<Diagnostic, 'message' | 'hints'> {
  const read = String(value);
  const large = value > 0;
  return {
    message: `${written || read} is too ${large ? 'large' : 'small'} to be read exactly (integers are exact ${large ? 'up to' : 'down to'} ${thousands(Math.sign(value) * Number.MAX_SAFE_INTEGER)}, ${large ? '2^53 - 1' : '-(2^53 - 1)'})${/e/i.test(read) ? '' : `: it would be read as ${read}`}`,
    hints: ['check the number: no datastore id or setting is this large'],
  };
}

/** The first collection, in reading order, nested deeper than the bound. */
function tooDeep(nodes: YamlIndex, root: number): number {
  const stack: Array<{ node: number; depth: number }> = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() ?? { node: root, depth: 0 };
    const kind = nodes.kind(node);
    if (kind !== NodeKind.Mapping && kind !== NodeKind.Sequence) continue;
    if (depth >= LIMITS.maxDepth) return node;
    const children: number[] = [];
    for (let c = nodes.firsts[node] ?? -1; c !== -1; c = nodes.nexts[c] ?? -1) children.push(c);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i] ?? root, depth: depth + 1 });
  }
  return root;
}

/**
 * `yaml`'s bound on alias expansion (its `maxAliasCount`, nodes/Alias.js): each use of an anchor
 * counts, times the uses inside what the anchor names.
 */
function exceedsAliasLimit(nodes: YamlIndex, aliases: readonly AliasUse[]): boolean {
  const anchors = new Map<number, { count: number; aliasCount: number }>();
  const countIn = (node: number): number => {
    const kind = nodes.kind(node);
    if (kind === NodeKind.Alias) {
      const anchor = anchors.get(nodes.aliasTargets.get(node) ?? -1);
      return anchor ? anchor.count * anchor.aliasCount : 0;
    }
    if (kind !== NodeKind.Mapping && kind !== NodeKind.Sequence) return 1;
    let most = 0;
    for (let c = nodes.firsts[node] ?? -1; c !== -1; c = nodes.nexts[c] ?? -1) most = Math.max(most, countIn(c));
    return most;
  };
  for (const { target } of aliases) {
    if (target === -1) continue;
    let anchor = anchors.get(target);
    if (!anchor) {
      anchor = { count: 1, aliasCount: 0 };
      anchors.set(target, anchor);
    }
    anchor.count += 1;
    if (anchor.aliasCount === 0) anchor.aliasCount = countIn(target);
    if (anchor.count * anchor.aliasCount > LIMITS.maxAliasCount) return true;
  }
  return false;
}
