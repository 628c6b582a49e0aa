/**
 * A fast path for the plain block YAML that manifests are made of: exact, or absent.
 *
 * `fastParse` returns the `Document` that `parseAllDocuments(text, PARSE_OPTIONS)` would return as
 * its only document, built from yaml's own node classes, with the same values, node types, `range`s,
 * scalar `type`/`source`/`format`, and the same `lineCounter.lineStarts`. It does NOT reproduce
 * comments (`comment`, `commentBefore`, `spaceBefore`): nothing that reads a manifest looks at them.
 *
 * THE SUBSET. Anything else, or anything surprising, returns `undefined` and the caller parses with
 * yaml as before (the fallback rule: when in doubt, give up; never guess).
 *  - One document, no `---`, `...` or `%` directives; LF or CRLF line ends; spaces only (no tabs,
 *    no other control characters, no BOM, no lone CR).
 *  - Blank lines, comment lines, and ` #` comments at the end of a line.
 *  - Block mappings whose keys are `[A-Za-z_][A-Za-z0-9_]*` followed by `:` and a space or the end
 *    of the line; block sequences of `- ` items, one `- ` per line, indented under their key or not.
 *  - Values on one line: plain scalars (not starting with an indicator; resolved with yaml's own
 *    core-schema tags, so `0x1F`, `1e3`, `.inf`, `~`... come out as yaml says), single-quoted
 *    (`''` allowed) and double-quoted scalars without `\`.
 *  - `key:` with nothing after it: a nested block on the next lines, or null.
 * Falls back on flow collections, anchors, aliases, tags, block scalars, `?` keys, multi-line scalars,
 * `: ` inside a plain value, a first line that is indented, and every indentation yaml would reject.
 *
 * HOW. yaml's own Parser is the slow part (a generator per token). This module mirrors its state
 * machine at the granularity of lines, for the subset only: which open collection each blank line,
 * comment, and key line belongs to decides where the `range`s end (`range[2]` takes in trailing
 * comments, and comment lines may move up to a parent when a collection closes). The comments below
 * name the yaml 2.x functions (parser.js, compose/*.js) each rule comes from; the differential test
 * in test/source/fast-yaml.test.ts holds the two to the same output.
 */
import { Document, isScalar, Pair, Scalar, YAMLMap, YAMLSeq, type LineCounter, type Node } from 'yaml';

/** The nodes the fast path builds (no aliases). */
type Built = Scalar | YAMLMap | YAMLSeq;

/** The options `readYamlDocuments` parses with; the fast path implements exactly these. */
export const PARSE_OPTIONS = {
  prettyErrors: false,
  // Duplicates are found in `checkPlainData` with both places named, instead of yaml's bare message.
  uniqueKeys: false,
  merge: false,
  version: '1.2',
  schema: 'core',
} as const;

/** Thrown inside the module to abandon the fast path; never escapes `fastParse`. */
class Unsupported extends Error {}

function unsupported(): never {
  throw new Unsupported();
}

/** Characters that make the whole text ineligible: tabs, control characters, lone CR, BOM, NEL, LS, PS. */
// eslint-disable-next-line no-control-regex
const INELIGIBLE = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029\ufeff]|\r(?!\n)/;
/** A plain scalar starting with one of these is something else, or an error, to yaml (or is not worth the risk). */
const INDICATORS = new Set(['-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', ' ']);
/** First characters of every plain scalar that the core schema might resolve to something else than a string. */
const MAYBE_NOT_STRING = new Set(['~', 'n', 'N', 't', 'T', 'f', 'F', '+', '-', '.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

/** A token kept in a `key:` separator list, where the empty value's position depends on each one. */
interface SepToken {
  kind: 'indicator' | 'space' | 'newline' | 'comment';
  offset: number;
  length: number;
  /** For comments: the indentation yaml's parser had when it met the comment. */
  indent: number;
}

/**
 * What the parser knows about the last item of an open collection:
 * VALUE - it has a value; START - a comment/blank-only item after it (yaml's `{ start }` items);
 * PENDING - `key:` waiting for a value (map only); CHILD - the value is the open collection above.
 */
const enum State {
  Value,
  Start,
  Pending,
  Child,
}

interface Frame {
  isMap: boolean;
  /** yaml's collection indent: the column of the first key, or of the `-`. */
  indent: number;
  node: YAMLMap | YAMLSeq;
  state: State;
  /** The value node of the last item that has one (its `range[2]` may still grow). */
  lastValue: Built | null;
  /** The last value when it is a scalar still taking end tokens (yaml: `value.end` is an array). */
  scalar: Scalar | null;
  /** The scalar's last end token is a comment, so a newline joins it instead of starting an item. */
  endIsComment: boolean;
  /** START: the `{ start }` item's tokens, summarised. */
  start: StartItem;
  /** PENDING: the pair waiting for its value, and its separator tokens from `:` on. */
  pair: Pair<Scalar, Built | null> | null;
  sep: SepToken[];
}

interface StartItem {
  /** Offset just after the last token (what yaml's `resolveProps` reports as `end`). */
  end: number;
  /** Sum of the token lengths (what yaml's `resolveEnd` adds up when the item ends a document). */
  length: number;
  hasComment: boolean;
  /** Largest indent of a comment in the item, -1 when there is none. */
  maxCommentIndent: number;
  /** The scalar value of the item before, which an indented comment joins (parser `atIndentedComment`). */
  prevScalar: Scalar | null;
}

/**
 * The document yaml would parse from `text`, or `undefined` when `text` is outside the subset.
 * `lineCounter` is filled only when a document is returned.
 */
export function fastParse(text: string, lineCounter: LineCounter): Document.Parsed | undefined {
  if (INELIGIBLE.test(text)) return undefined;
  try {
    const { doc, lineStarts } = new FastParser(text, lineCounter).parse();
    for (const start of lineStarts) lineCounter.addNewLine(start);
    return doc;
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

class FastParser {
  private readonly doc: Document<Node, true>;
  private readonly stack: Frame[] = [];
  /** Line being read: its start, where its content ends (before CR LF), its newline length (0 at EOF). */
  private lineStart = 0;
  private contentEnd = 0;
  private newlineLength = 0;

  constructor(
    private readonly text: string,
    lineCounter: LineCounter,
  ) {
    // The options yaml's composer gives its documents (minus its private `_directives`), so the
    // schema, and with it scalar resolution and `toJS`, are yaml's own.
    this.doc = new Document<Node, true>(undefined, { lineCounter, ...PARSE_OPTIONS });
  }

  parse(): { doc: Document.Parsed; lineStarts: number[] } {
    const text = this.text;
    const lineStarts = [0];
    let docOffset = -1;
    let pos = 0;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      const lineEnd = nl < 0 ? text.length : nl;
      this.lineStart = pos;
      this.newlineLength = nl < 0 ? 0 : 1;
      this.contentEnd = lineEnd;
      if (nl > pos && text.charCodeAt(nl - 1) === 13) {
        this.contentEnd = nl - 1;
        this.newlineLength = 2;
      }
      let p = pos;
      while (p < this.contentEnd && text.charCodeAt(p) === 32) p++;
      const indent = p - pos;
      const blank = p === this.contentEnd;
      if (blank || text[p] === '#') {
        // Before the first content these are the stream's prelude: comments for yaml, no ranges.
        if (docOffset >= 0) {
          if (indent > 0) this.space(pos, indent);
          if (!blank) this.comment(p, this.contentEnd - p, indent);
          if (this.newlineLength > 0) this.newline(this.contentEnd, this.newlineLength);
        }
      } else {
        if (docOffset < 0) {
          // An indented first line changes how yaml attributes leading space; not worth the risk.
          if (indent > 0) unsupported();
          docOffset = pos;
        } else if (indent > 0) {
          this.space(pos, indent);
        }
        this.contentLine(p, indent);
      }
      if (nl >= 0) lineStarts.push(nl + 1);
      pos = lineEnd + 1;
    }
    if (docOffset < 0) unsupported(); // nothing but comments: yaml's empty-document shape is its own
    // parser.end(): pop every open collection, innermost first.
    let docEndLength = 0;
    while (this.stack.length > 1) this.pop();
    const root = this.stack[0];
    if (!root) unsupported();
    const moved = this.close(root);
    if (moved) docEndLength = moved.length;
    const contents = root.node;
    const contentEnd = rangeOf(contents)[2];
    this.doc.contents = contents;
    this.doc.range = [docOffset, contentEnd, contentEnd + docEndLength];
    // The constructor cannot produce a parsed document; the fields that make one are now set.
    return { doc: this.doc as Document.Parsed, lineStarts };
  }

  // ---- tokens between content: parser.blockMap / parser.blockSequence, 'space' 'comment' 'newline'

  private top(): Frame {
    const frame = this.stack[this.stack.length - 1];
    if (!frame) unsupported();
    return frame;
  }

  private space(offset: number, length: number): void {
    const f = this.top();
    if (f.state === State.Value) this.startItem(f, offset, length);
    else if (f.state === State.Pending) f.sep.push({ kind: 'space', offset, length, indent: 0 });
    else if (f.state === State.Start) this.extendStart(f, offset, length);
    else unsupported();
  }

  private comment(offset: number, length: number, indent: number): void {
    const f = this.top();
    if (f.state === State.Value) {
      this.startItem(f, offset, length);
      this.markComment(f.start, indent);
    } else if (f.state === State.Pending) {
      f.sep.push({ kind: 'comment', offset, length, indent });
    } else if (f.state === State.Start) {
      const prev = f.start.prevScalar;
      if (indent > f.indent && !f.start.hasComment && prev) {
        // atIndentedComment: a more-indented comment (and the blank lines before it) joins the
        // previous scalar's end tokens, and the start item disappears.
        addToEnd(prev, f.start.length + length);
        f.state = State.Value;
        f.scalar = prev;
        f.endIsComment = true;
      } else {
        this.extendStart(f, offset, length);
        this.markComment(f.start, indent);
      }
    } else {
      unsupported();
    }
  }

  private newline(offset: number, length: number): void {
    const f = this.top();
    if (f.state === State.Value) {
      if (f.scalar && f.endIsComment) {
        addToEnd(f.scalar, length);
        f.endIsComment = false;
      } else {
        this.startItem(f, offset, length);
      }
    } else if (f.state === State.Pending) {
      f.sep.push({ kind: 'newline', offset, length, indent: 0 });
    } else if (f.state === State.Start) {
      this.extendStart(f, offset, length);
    } else {
      unsupported();
    }
  }

  private startItem(f: Frame, offset: number, length: number): void {
    f.state = State.Start;
    f.start = { end: offset + length, length, hasComment: false, maxCommentIndent: -1, prevScalar: f.scalar };
    f.scalar = null;
    f.endIsComment = false;
  }

  private extendStart(f: Frame, offset: number, length: number): void {
    f.start.end = offset + length;
    f.start.length += length;
  }

  private markComment(start: StartItem, indent: number): void {
    start.hasComment = true;
    if (indent > start.maxCommentIndent) start.maxCommentIndent = indent;
  }

  // ---- content lines

  private contentLine(p: number, indent: number): void {
    const text = this.text;
    const end = this.contentEnd;
    if (text[p] === '-') {
      if (text[p + 1] !== ' ') unsupported(); // `---`, `-1` as a key line, `-` alone...
      let q = p + 1;
      while (q < end && text.charCodeAt(q) === 32) q++;
      if (q === end || text[q] === '#' || (text[q] === '-' && (q + 1 === end || text[q + 1] === ' '))) unsupported();
      const seq = this.seqFor(indent, p);
      const keyEnd = keyAt(text, q, end);
      if (keyEnd >= 0) {
        // `- key: ...`: a map whose indent is the key's column, the seq item's value.
        const map = this.openChild(seq, true, q - this.lineStart, q);
        this.keyLine(map, q, keyEnd, q - this.lineStart);
      } else {
        const node = this.scalarAt(q);
        pushItem(seq, node);
        this.setValue(seq, node);
        this.lineRest(node, rangeOf(node)[1]);
      }
      return;
    }
    const keyEnd = keyAt(text, p, end);
    if (keyEnd < 0) unsupported();
    const map = this.mapFor(indent, p);
    this.keyLine(map, p, keyEnd, indent);
  }

  /** The seq a `-` at `indent` continues or opens, popping what it closes (parser.blockSequence). */
  private seqFor(indent: number, offset: number): Frame {
    for (;;) {
      const f = this.stack[this.stack.length - 1];
      if (!f) {
        this.stack.push(newFrame(false, indent, new YAMLSeq(this.doc.schema)));
        return this.open(offset);
      }
      if (!f.isMap) {
        if (f.indent === indent && (f.state === State.Value || f.state === State.Start)) return this.open(offset);
        if (f.indent > indent) {
          this.pop();
          continue;
        }
        unsupported();
      }
      if (indent >= f.indent) {
        // A seq under `key:`, indented or at the key's own column (parser.startBlockValue).
        if (f.state !== State.Pending) unsupported();
        this.openChild(f, false, indent, offset);
        return this.open(offset);
      }
      this.pop();
    }
  }

  /** Starts a new item in the seq on top (its value comes later on the line). */
  private open(offset: number): Frame {
    const f = this.top();
    if (f.node.items.length === 0) f.node.range = [offset, offset, offset];
    f.state = State.Child; // the `- ` is read; the value follows on this line
    f.scalar = null;
    f.endIsComment = false;
    return f;
  }

  /** The map a key at column `indent` belongs to, popping what it closes (parser.blockMap). */
  private mapFor(indent: number, offset: number): Frame {
    for (;;) {
      const f = this.stack[this.stack.length - 1];
      if (!f) {
        const frame = newFrame(true, indent, new YAMLMap(this.doc.schema));
        frame.node.range = [offset, offset, offset];
        this.stack.push(frame);
        return frame;
      }
      if (f.isMap) {
        if (f.indent === indent) {
          if (f.state === State.Pending) this.finishPending(f, true);
          else if (f.state !== State.Value && f.state !== State.Start) unsupported();
          return f;
        }
        if (f.indent < indent) {
          if (f.state !== State.Pending) unsupported(); // a more-indented line after a value: a multi-line scalar
          return this.openChild(f, true, indent, offset);
        }
        this.pop();
        continue;
      }
      if (indent <= f.indent) {
        this.pop();
        continue;
      }
      unsupported();
    }
  }

  /** Opens a collection as the value of `parent`'s last item. */
  private openChild(parent: Frame, isMap: boolean, indent: number, offset: number): Frame {
    const node = isMap ? new YAMLMap(this.doc.schema) : new YAMLSeq(this.doc.schema);
    node.range = [offset, offset, offset];
    if (parent.isMap) {
      if (!parent.pair) unsupported();
      parent.pair.value = node;
      parent.pair = null;
      parent.sep = [];
    } else {
      pushItem(parent, node);
    }
    parent.state = State.Child;
    parent.lastValue = node;
    parent.scalar = null;
    const frame = newFrame(isMap, indent, node);
    this.stack.push(frame);
    return frame;
  }

  /** `key:` then a value, a comment, or nothing; the key starts at `keyStart` in map `f`. */
  private keyLine(f: Frame, keyStart: number, keyEnd: number, column: number): void {
    const text = this.text;
    const end = this.contentEnd;
    const key = this.plain(keyStart, keyEnd);
    key.range = [keyStart, keyEnd, keyEnd];
    const pair = new Pair<Scalar, Built | null>(key, null);
    if (!(f.node instanceof YAMLMap)) unsupported();
    f.node.items.push(pair);
    let r = keyEnd + 1; // after ':'
    while (r < end && text.charCodeAt(r) === 32) r++;
    if (r === end || text[r] === '#') {
      f.state = State.Pending;
      f.pair = pair;
      f.scalar = null;
      f.endIsComment = false;
      f.sep = [{ kind: 'indicator', offset: keyEnd, length: 1, indent: 0 }];
      if (r > keyEnd + 1) f.sep.push({ kind: 'space', offset: keyEnd + 1, length: r - keyEnd - 1, indent: 0 });
      if (r < end) f.sep.push({ kind: 'comment', offset: r, length: end - r, indent: column });
      if (this.newlineLength > 0) f.sep.push({ kind: 'newline', offset: end, length: this.newlineLength, indent: 0 });
      return;
    }
    const node = this.scalarAt(r);
    pair.value = node;
    this.setValue(f, node);
    this.lineRest(node, rangeOf(node)[1]);
  }

  private setValue(f: Frame, node: Scalar): void {
    f.state = State.Value;
    f.lastValue = node;
    f.scalar = node;
    f.endIsComment = false;
  }

  /** After a value scalar: spaces, an optional ` #` comment, the newline: all its end tokens (parser.lineEnd). */
  private lineRest(node: Scalar, valueEnd: number): void {
    const text = this.text;
    const end = this.contentEnd;
    let t = valueEnd;
    while (t < end && text.charCodeAt(t) === 32) t++;
    if (t < end && (text[t] !== '#' || t === valueEnd)) unsupported();
    rangeOf(node)[2] = end + this.newlineLength;
  }

  /** A value scalar starting at `q`, with its range up to its value end. */
  private scalarAt(q: number): Scalar {
    const text = this.text;
    const end = this.contentEnd;
    const first = text[q];
    if (first === '"' || first === "'") {
      let j = q + 1;
      let escaped = false;
      for (;;) {
        if (j >= end) unsupported(); // multi-line or unclosed
        const ch = text[j];
        if (first === '"' && ch === '\\') unsupported();
        if (ch === first) {
          if (first === "'" && text[j + 1] === "'") {
            escaped = true;
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      const inner = text.slice(q + 1, j);
      const value = escaped ? inner.replace(/''/g, "'") : inner;
      // compose-scalar: quoted scalars always take the string tag, `source` is the unquoted value.
      const node = new Scalar(value);
      node.range = [q, j + 1, j + 1];
      node.source = value;
      node.type = first === '"' ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE;
      return node;
    }
    if (first === undefined) unsupported();
    if (INDICATORS.has(first)) {
      // `-1`, `-x`: a dash with a word character after it is a plain scalar, not an indicator.
      if (!(first === '-' && /[0-9A-Za-z._]/.test(text[q + 1] ?? ''))) unsupported();
    }
    let j = q;
    let valueEnd = q;
    while (j < end) {
      const ch = text.charCodeAt(j);
      if (ch === 32) {
        j++;
        continue;
      }
      if (ch === 35 /* # */ && text.charCodeAt(j - 1) === 32) break; // a comment
      if (ch === 58 /* : */ && (j + 1 === end || text.charCodeAt(j + 1) === 32)) unsupported(); // a nested mapping
      j++;
      valueEnd = j;
    }
    const node = this.plain(q, valueEnd);
    node.range = [q, valueEnd, valueEnd];
    return node;
  }

  /**
   * A plain scalar resolved as compose-scalar's `findScalarTagByTest` does, with the schema's own
   * tags; the common case, text that no core tag can match, skips the tests.
   */
  private plain(start: number, end: number): Scalar {
    const source = this.text.slice(start, end);
    let node: Scalar;
    let format: string | undefined;
    if (source !== '' && !MAYBE_NOT_STRING.has(source[0] ?? '')) {
      node = new Scalar(source);
    } else {
      const tag = this.doc.schema.tags.find((t) => t.default === true && t.test?.test(source) === true);
      if (!tag || !('resolve' in tag) || tag.collection) {
        node = new Scalar(source);
      } else {
        let failed = false;
        const resolved: unknown = tag.resolve(source, () => (failed = true), this.doc.options);
        if (failed) unsupported();
        node = isScalar(resolved) ? resolved : new Scalar(resolved);
        format = tag.format;
      }
    }
    node.range = [start, end, end];
    node.source = source;
    node.type = Scalar.PLAIN;
    if (format) node.format = format;
    return node;
  }

  // ---- closing collections

  /**
   * `key:` with no value: yaml's composeEmptyNode over the separator tokens. At the next key of the
   * same map, the tokens from the second newline on belong to that key (parser.blockMap, "For empty
   * nodes, assign newline-separated not indented empty tokens to following node").
   */
  private finishPending(f: Frame, atNextItem: boolean): void {
    const sep = f.sep;
    if (atNextItem) {
      const nl: number[] = [];
      sep.forEach((st, i) => {
        if (st.kind === 'newline') nl.push(i);
        else if (st.kind === 'comment' ? st.indent > f.indent : st.kind !== 'space') nl.length = 0;
      });
      const second = nl[1];
      if (second !== undefined) sep.length = second;
    }
    const indicator = sep[0];
    if (!indicator || !f.pair) unsupported();
    let at = indicator.offset + indicator.length;
    const after = sep[1];
    if (after?.kind === 'space') at += after.length;
    const last = sep[sep.length - 1] ?? indicator;
    const hasComment = sep.some((st) => st.kind === 'comment');
    const node = this.plain(at, at);
    node.range = [at, at, hasComment ? last.offset + last.length : at];
    f.pair.value = node;
    f.pair = null;
    f.sep = [];
    f.state = State.Value;
    f.lastValue = node;
    // An empty scalar has no end tokens of its own: comments after it start an item.
    f.scalar = null;
    f.endIsComment = false;
  }

  /** Pops the top collection into its parent (parser.pop, then compose's range). */
  private pop(): void {
    const f = this.stack.pop();
    const parent = this.stack[this.stack.length - 1];
    if (!f || !parent || parent.state !== State.Child) unsupported();
    const moved = this.close(f);
    parent.state = State.Value;
    parent.lastValue = f.node;
    parent.scalar = null;
    parent.endIsComment = false;
    if (moved) {
      parent.state = State.Start;
      parent.start = { ...moved, prevScalar: null };
    }
  }

  /**
   * Sets a closing collection's range. A trailing comment/blank item moves up to the parent unless
   * one of its comments is indented at least as deep as the collection (parser.pop); otherwise its
   * end is the collection's `range[2]` (resolve-block-map/-seq `commentEnd`).
   */
  private close(f: Frame): StartItem | undefined {
    if (f.state === State.Pending) this.finishPending(f, false);
    if (f.state === State.Child) unsupported();
    const range = rangeOf(f.node);
    const valueEnd = f.lastValue ? rangeOf(f.lastValue)[2] : unsupported();
    range[1] = valueEnd;
    range[2] = valueEnd;
    if (f.state !== State.Start) return undefined;
    if (f.indent === 0 || f.start.maxCommentIndent < f.indent) return f.start;
    range[2] = f.start.end;
    return undefined;
  }
}

function pushItem(f: Frame, node: Built): void {
  if (!(f.node instanceof YAMLSeq)) unsupported();
  f.node.items.push(node);
}

function newFrame(isMap: boolean, indent: number, node: Frame['node']): Frame {
  return {
    isMap,
    indent,
    node,
    state: State.Child,
    lastValue: null,
    scalar: null,
    endIsComment: false,
    start: { end: 0, length: 0, hasComment: false, maxCommentIndent: -1, prevScalar: null },
    pair: null,
    sep: [],
  };
}

/** End of a `[A-Za-z_][A-Za-z0-9_]*` key at `p` (the offset of its `:`), or -1. */
function keyAt(text: string, p: number, end: number): number {
  let i = p;
  const c0 = text.charCodeAt(i);
  if (!(isAlpha(c0) || c0 === 95)) return -1;
  i++;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (isAlpha(c) || c === 95 || (c >= 48 && c <= 57)) i++;
    else break;
  }
  if (text.charCodeAt(i) !== 58) return -1;
  if (i + 1 < end && text.charCodeAt(i + 1) !== 32) return -1;
  return i;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function rangeOf(node: Built): [number, number, number] {
  const range = node.range;
  if (!range) unsupported();
  return range;
}

function addToEnd(scalar: Scalar, length: number): void {
  rangeOf(scalar)[2] += length;
}
