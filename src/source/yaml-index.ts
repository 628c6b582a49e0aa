/**
 * Where each node of a YAML file is: a compact index built while js-yaml reads the file
 * (`yaml-events.ts`), asked for positions only when a diagnostic or a location needs one.
 *
 * Nodes are numbers. Each has a kind, a start and an end offset (what `yaml` calls a node's
 * `range[0]..range[1]`: a scalar's text, an alias's `*name`, a flow collection with its brackets, a
 * block collection up to the end of its last line), and its children as a linked list (`first`,
 * `next`): a mapping's children are its keys and values in turn, a sequence's its items.
 */
import { load } from 'js-yaml';
import type { SourcePosition } from '../core/diagnostics.js';
import { CORE_SCHEMA, plainValue } from './yaml-schema.js';

export const enum NodeKind {
  Scalar = 1,
  Mapping = 2,
  Sequence = 3,
  Alias = 4,
  /** No content (`key:` with nothing after it): null, and zero-width. */
  Empty = 5,
}

/** Low bits of `kinds`: the kind; higher bits: flags. */
const KIND_MASK = 7;
/** A mapping or sequence in block style (its end is the end of its last line). */
export const BLOCK = 8;
/** The node came after a `:` in its parent: a mapping's value (flow sequences: a single-pair mapping's). */
export const AFTER_COLON = 16;

export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

/** First characters of a key whose name is not its text: quotes, and what may be a null, boolean or number. */
const MAYBE_NOT_TEXT = new Set([...'"\'~nNtTfF+-.0123456789'].map((c) => c.charCodeAt(0)));

export class YamlIndex {
  kinds: Int32Array = new Int32Array(64);
  starts: Int32Array = new Int32Array(64);
  ends: Int32Array = new Int32Array(64);
  firsts: Int32Array = new Int32Array(64);
  nexts: Int32Array = new Int32Array(64);
  /** Alias node -> the node its anchor named (absent when the anchor was not yet complete). */
  aliasTargets = new Map<number, number>();
  count = 0;
  /** Offsets in the text js-yaml reads are this much smaller than in the file (a byte order mark). */
  base = 0;
  private lineStarts: Int32Array | undefined;
  private lastLine = 0;
  private items = new Map<number, Int32Array>();

  constructor(readonly text: string) {
    const guess = Math.max(64, text.length >> 4);
    this.grow(guess);
  }

  add(): number {
    const id = this.count++;
    if (id >= this.kinds.length) this.grow(this.kinds.length * 2);
    this.kinds[id] = 0;
    this.firsts[id] = -1;
    this.nexts[id] = -1;
    return id;
  }

  /** Forgets every node from `id` on (js-yaml read them while trying what the text is, then read it otherwise). */
  truncate(id: number): void {
    this.count = id;
  }

  kind(node: number): NodeKind {
    return (this.kinds[node] ?? 0) & KIND_MASK;
  }

  /** The key named `name` in a mapping, -1 when there is none; its value is `nexts[key]`. */
  findKey(mapping: number, name: string): number {
    for (let key = this.firsts[mapping] ?? -1; key !== -1; ) {
      const kind = this.kind(key);
      if ((kind === NodeKind.Scalar && this.isNamed(key, name)) || (kind === NodeKind.Empty && name === '')) return key;
      const value = this.nexts[key] ?? -1;
      key = value === -1 ? -1 : (this.nexts[value] ?? -1);
    }
    return -1;
  }

  /**
   * A scalar key's name in the data, read back from the text: a plain key by the core schema (`1`
   * and `0x1` name "1", `~` names "" as in `yaml`), a quoted one by js-yaml again.
   */
  keyName(key: number): string {
    if (this.kind(key) === NodeKind.Empty) return '';
    const text = this.text.slice((this.starts[key] ?? 0) + this.base, (this.ends[key] ?? 0) + this.base);
    const c = text.charCodeAt(0);
    const value = c === 0x22 || c === 0x27 || text.includes('\n') ? load(text, { schema: CORE_SCHEMA }) : plainValue(text);
    return value === null ? '' : String(value);
  }

  /** Whether a key is named `name`, without reading it back when its text says so. */
  private isNamed(key: number, name: string): boolean {
    const start = (this.starts[key] ?? 0) + this.base;
    const length = (this.ends[key] ?? 0) + this.base - start;
    // A plain key whose text cannot be a null, boolean or number is its own name.
    if (!MAYBE_NOT_TEXT.has(this.text.charCodeAt(start))) return length === name.length && this.text.startsWith(name, start);
    return this.keyName(key) === name;
  }

  /** A sequence's item by position, -1 when there is none (the items are listed once per sequence). */
  item(sequence: number, position: number): number {
    let list = this.items.get(sequence);
    if (!list) {
      const ids: number[] = [];
      for (let c = this.firsts[sequence] ?? -1; c !== -1; c = this.nexts[c] ?? -1) ids.push(c);
      list = Int32Array.from(ids);
      this.items.set(sequence, list);
    }
    return Number.isInteger(position) && position >= 0 && position < list.length ? (list[position] ?? -1) : -1;
  }

  range(node: number): SourceRange {
    return this.offsetRange(this.starts[node] ?? 0, this.ends[node] ?? 0);
  }

  /** A node's range in a file (what the model calls a `SourceLocation`), built in one go. */
  location(file: string, node: number): SourceRange & { file: string } {
    const start = this.starts[node] ?? 0;
    return { file, start: this.position(start), end: this.position(Math.max(start, this.ends[node] ?? 0)) };
  }

  offsetRange(start: number, end: number): SourceRange {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  /** 1-based line and column of an offset in js-yaml's text. */
  position(offset: number): SourcePosition {
    // js-yaml reads the text with a line break added when it lacks one: an end may be past the text.
    const at = Math.min(offset + this.base, this.text.length);
    const starts = (this.lineStarts ??= lineStartsOf(this.text));
    // Positions are mostly asked near the last one (an entry's values, then the next entry's): walk
    // a few lines from its line, then search.
    let line = this.lastLine;
    for (let steps = 0; steps < 8; steps++) {
      if ((starts[line] ?? 0) > at) {
        line--;
      } else if (line + 1 < starts.length && (starts[line + 1] ?? 0) <= at) {
        line++;
      } else {
        this.lastLine = line;
        return { line: line + 1, column: at - (starts[line] ?? 0) + 1 };
      }
    }
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] ?? 0) <= at) low = mid;
      else high = mid - 1;
    }
    this.lastLine = low;
    return { line: low + 1, column: at - (starts[low] ?? 0) + 1 };
  }

  private grow(size: number): void {
    const copy = (from: Int32Array): Int32Array => {
      const to = new Int32Array(size);
      to.set(from.subarray(0, Math.min(from.length, size)));
      return to;
    };
    this.kinds = copy(this.kinds);
    this.starts = copy(this.starts);
    this.ends = copy(this.ends);
    this.firsts = copy(this.firsts);
    this.nexts = copy(this.nexts);
  }
}

function lineStartsOf(text: string): Int32Array {
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  const starts = new Int32Array(lines);
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts[line++] = i + 1;
  return starts;
}
