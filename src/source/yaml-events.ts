/**
 * Builds a `YamlIndex` from js-yaml's `listener` events, and notes on the way what is not plain
 * data (tags, complex and duplicate keys, recursive aliases, unsafe integers).
 *
 * js-yaml calls the listener with 'open' when it starts reading a node (`state.position` is where
 * it starts looking: before spaces, comments and properties) and 'close' when the node is read
 * (`state.kind`, `state.result`, `state.tag`, `state.anchor` describe it; `state.position` is past it,
 * after trailing spaces, and for a block collection or an alias after the line breaks too). Three
 * habits of its reader (lib/loader.js, `composeNode`) shape what follows:
 *  - It may read a node twice, nested: a block context first tries the text as a mapping's first
 *    key (`readBlockMapping`), and when no `:` follows keeps what it read. A scalar, alias or empty
 *    node whose events enclose others is therefore the only node: the inner ones are forgotten. A
 *    collection whose one child is the same collection (same kind, start and end) is that child.
 *  - Keys and values are children of a mapping in turn; a key without a value (`? a`, `{a}`) has no
 *    value event, and a value is told from the next key by the `:` before it.
 *  - An empty sequence item (`-` alone on its line) has no event: found by its `-`.
 */
import { AFTER_COLON, BLOCK, NodeKind, YamlIndex } from './yaml-index.js';
import { NULL_START, RESOLVED_TAG } from './yaml-schema.js';
import { blockScalarEnd, colonBetween, columnOf, commentLines, contentStart, emptyPosition, isBreak, itemDashes, strayDash, lineEnd, pastBreak, shortTag, skipSpaces, tokenEnd, trimBack, writtenTag } from './yaml-text.js';

/** What the listener reads of js-yaml's state (lib/loader.js `State`). */
interface ReaderState {
  input: string;
  position: number;
  kind: string | null;
  result: unknown;
  tag: string | null;
  anchor: string | null;
}

/** Something that is not plain data, by offsets in js-yaml's text; `node` is whose reading found it. */
export interface Finding {
  node: number;
  code: 'yaml-tag' | 'yaml-complex-key' | 'duplicate-key' | 'yaml-recursive-alias' | 'unsafe-integer' | 'yaml-syntax';
  start: number;
  end: number;
  /** duplicate-key: the first key's node. */
  first?: number;
  /** yaml-tag: the tag as written; duplicate-key: the key; unsafe-integer: the text as written. */
  text: string;
  value?: number;
}

export interface AliasUse {
  node: number;
  /** The anchored node, -1 when its anchor names a node still being read. */
  target: number;
  value: unknown;
}

export class IndexBuilder {
  readonly index: YamlIndex;
  readonly findings: Finding[] = [];
  readonly aliases: AliasUse[] = [];
  /** Per document: its root node, value, and deepest nesting of collections (1 for a flat mapping). */
  readonly roots: Array<{ node: number; value: unknown; height: number }> = [];
  private readonly anchors = new Map<string, number>();
  private readonly anchorLog: Array<{ name: string; node: number }> = [];
  // One entry per open node (a stack): its id, where js-yaml started it, its last child so far,
  // where that child ended, and the deepest collection nesting below it.
  private depth = 0;
  private ids: number[] = [];
  private opens: number[] = [];
  private lasts: number[] = [];
  private lastCloses: number[] = [];
  private heights: number[] = [];

  constructor(text: string) {
    this.index = new YamlIndex(text);
  }

  get open(): boolean {
    return this.depth > 0;
  }

  readonly listener = (event: 'open' | 'close', state: ReaderState): void => {
    if (event === 'open') this.opened(state);
    else this.closed(state);
  };

  private opened(state: ReaderState): void {
    const index = this.index;
    const id = index.add();
    const sp = this.depth;
    if (sp > 0) {
      const parent = this.ids[sp - 1] ?? 0;
      const last = this.lasts[sp - 1] ?? -1;
      if (last === -1) {
        index.firsts[parent] = id;
      } else {
        index.nexts[last] = id;
        if (colonBetween(state.input, this.lastCloses[sp - 1] ?? 0, state.position)) index.kinds[id] = AFTER_COLON;
      }
      this.lasts[sp - 1] = id;
    }
    this.ids[sp] = id;
    this.opens[sp] = state.position;
    this.lasts[sp] = -1;
    this.lastCloses[sp] = state.position;
    this.heights[sp] = 0;
    this.depth = sp + 1;
  }

  private closed(state: ReaderState): void {
    const index = this.index;
    const sp = --this.depth;
    const id = this.ids[sp] ?? 0;
    const input = state.input;
    const close = state.position;
    const start = contentStart(input, this.opens[sp] ?? 0);
    const collection = state.kind === 'mapping' ? NodeKind.Mapping : state.kind === 'sequence' ? NodeKind.Sequence : 0;
    let height = 0;
    const only = index.firsts[id] ?? -1;
    if (collection !== 0 && only !== -1 && index.nexts[only] === -1 && index.kind(only) === collection && skipSpaces(input, this.lastCloses[sp] ?? 0) >= close && index.starts[only] === start) {
      // The same collection, read as a mapping's first key and kept: this node is that one.
      index.kinds[id] = ((index.kinds[id] ?? 0) & AFTER_COLON) | ((index.kinds[only] ?? 0) & ~AFTER_COLON);
      index.starts[id] = start;
      index.ends[id] = index.ends[only] ?? close;
      index.firsts[id] = index.firsts[only] ?? -1;
      height = this.heights[sp] ?? 0;
    } else if (collection !== 0) {
      const block = input.charCodeAt(start) !== 0x7b /* { */ && input.charCodeAt(start) !== 0x5b; /* [ */
      index.kinds[id] = ((index.kinds[id] ?? 0) & AFTER_COLON) | collection | (block ? BLOCK : 0);
      index.starts[id] = start;
      if (collection === NodeKind.Mapping) this.pairUp(id, block, state.result);
      else this.listItems(id, block, input, state.result, close);
      index.ends[id] = block ? this.blockEnd(id, input, close) : trimBack(input, close, start);
      height = (this.heights[sp] ?? 0) + 1;
      this.checkRecursion(id, state.result, input);
    } else {
      if (only !== -1) this.forget(id, start);
      const isAlias = state.kind === null && close > start && input.charCodeAt(start) === 0x2a; /* * */
      const kind = state.kind === 'scalar' ? NodeKind.Scalar : isAlias ? NodeKind.Alias : NodeKind.Empty;
      index.kinds[id] = ((index.kinds[id] ?? 0) & AFTER_COLON) | kind;
      if (kind === NodeKind.Empty) {
        const at = emptyPosition(input, this.opens[sp] ?? 0);
        index.starts[id] = at;
        index.ends[id] = at;
      } else if (kind === NodeKind.Alias) {
        const end = tokenEnd(input, start + 1, true);
        index.starts[id] = start;
        index.ends[id] = end;
        const target = this.anchors.get(input.slice(start + 1, end)) ?? -1;
        if (target !== -1) index.aliasTargets.set(id, target);
        this.aliases.push({ node: id, target, value: state.result });
      } else {
        const first = input.charCodeAt(start);
        index.starts[id] = start;
        index.ends[id] = first === 0x7c || first === 0x3e ? blockScalarEnd(input, close, start) : trimBack(input, close, start);
        if ((first === 0x22 || first === 0x27) && input.indexOf('\n', start) < (index.ends[id] ?? 0)) this.checkContinuation(id, input, start, sp);
        const value = state.result;
        if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
          this.findings.push({ node: id, code: 'unsafe-integer', start, end: index.ends[id] ?? start, text: input.slice(start, index.ends[id]).trim(), value });
        }
      }
    }
    const tag = state.tag;
    if (tag !== null && tag !== '?' && !tag.startsWith(RESOLVED_TAG)) {
      const written = writtenTag(input, start);
      this.findings.push({ node: id, code: 'yaml-tag', start: written?.start ?? start, end: written ? written.start + written.text.length : start, text: written?.text ?? shortTag(tag) });
    }
    if (state.anchor !== null) {
      this.anchors.set(state.anchor, id);
      this.anchorLog.push({ name: state.anchor, node: id });
    }
    if (sp > 0) {
      this.lastCloses[sp - 1] = close;
      if (height > (this.heights[sp - 1] ?? 0)) this.heights[sp - 1] = height;
    } else {
      this.roots.push({ node: id, value: state.result, height });
    }
  }

  /**
   * The lines of a quoted scalar after its first are indented more than the block collection
   * around it (YAML 1.2, 7.3): js-yaml does not check, and would read on into the next keys.
   */
  private checkContinuation(id: number, input: string, start: number, sp: number): void {
    let column = -1;
    for (let frame = sp - 1; frame >= 0; frame--) {
      const at = contentStart(input, this.opens[frame] ?? 0);
      const c = input.charCodeAt(at);
      if (at < start && c !== 0x5b && c !== 0x7b) {
        column = columnOf(input, at);
        break;
      }
    }
    const end = this.index.ends[id] ?? start;
    for (let line = input.indexOf('\n', start); line !== -1 && line < end; line = input.indexOf('\n', line + 1)) {
      const text = skipSpaces(input, line + 1);
      if (text - line - 1 <= column && !isBreak(input.charCodeAt(text))) {
        this.findings.push({ node: id, code: 'yaml-syntax', start: text, end: text, text: 'a quoted string that goes on to the next line must be indented more than its mapping or sequence' });
        return;
      }
    }
  }

  /** Forgets the nodes read inside `id` and what was noted about them; an anchor they set at `id`'s start is `id`'s. */
  private forget(id: number, start: number): void {
    const index = this.index;
    while (this.anchorLog.length > 0 && (this.anchorLog.at(-1)?.node ?? 0) > id) {
      const { name, node } = this.anchorLog.pop() ?? { name: '', node: 0 };
      if (index.starts[node] === start && this.anchors.get(name) === node) {
        this.anchors.set(name, id);
        this.anchorLog.push({ name, node: id });
        break;
      }
      this.anchors.delete(name);
    }
    while (this.findings.length > 0 && (this.findings.at(-1)?.node ?? 0) > id) this.findings.pop();
    while (this.aliases.length > 0 && (this.aliases.at(-1)?.node ?? 0) > id) index.aliasTargets.delete(this.aliases.pop()?.node ?? -1);
    index.truncate(id + 1);
    index.firsts[id] = -1;
  }

  /** Keys and values in turn: a key without a value gets an empty one; duplicate and complex keys are noted. */
  private pairUp(mapping: number, block: boolean, result: unknown): void {
    const index = this.index;
    let pairs = 0;
    let nullKey = false;
    let previous = -1;
    for (let key = index.firsts[mapping] ?? -1; key !== -1; ) {
      let value = index.nexts[key] ?? -1;
      if (value === -1 || ((index.kinds[value] ?? 0) & AFTER_COLON) === 0) {
        if (block && value === -1 && index.kind(key) === NodeKind.Empty) {
          // js-yaml looked for one more key and found none (a `---` after the mapping, say).
          if (previous === -1) index.firsts[mapping] = -1;
          else index.nexts[previous] = -1;
          break;
        }
        const empty = index.add();
        index.kinds[empty] = NodeKind.Empty | AFTER_COLON;
        index.starts[empty] = index.ends[key] ?? 0;
        index.ends[empty] = index.ends[key] ?? 0;
        index.nexts[empty] = value;
        index.nexts[key] = empty;
        value = empty;
      }
      pairs++;
      const kind = index.kind(key);
      if (kind === NodeKind.Empty || (kind === NodeKind.Scalar && NULL_START.test(this.index.text.charAt((index.starts[key] ?? 0) + index.base)) && index.keyName(key) === '')) nullKey = true;
      if (kind === NodeKind.Mapping || kind === NodeKind.Sequence) {
        this.findings.push({ node: key, code: 'yaml-complex-key', start: index.starts[key] ?? 0, end: index.ends[key] ?? 0, text: '' });
      }
      previous = value;
      key = index.nexts[value] ?? -1;
    }
    if (typeof result !== 'object' || result === null) return;
    if (nullKey) renameNullKey(result as Record<string, unknown>);
    let names = 0;
    for (const name in result) if (Object.hasOwn(result, name)) names++;
    if (names !== pairs) this.findDuplicates(mapping);
  }

  private findDuplicates(mapping: number): void {
    const index = this.index;
    const seen = new Map<string, number>();
    for (let key = index.firsts[mapping] ?? -1; key !== -1; key = index.nexts[index.nexts[key] ?? -1] ?? -1) {
      if (index.kind(key) !== NodeKind.Scalar && index.kind(key) !== NodeKind.Empty) continue;
      const name = index.keyName(key);
      const first = seen.get(name);
      if (first === undefined) seen.set(name, key);
      else this.findings.push({ node: key, code: 'duplicate-key', start: index.starts[key] ?? 0, end: index.ends[key] ?? 0, first, text: name });
    }
  }

  /** A block sequence's items without events (`-` alone) become empty nodes; a flow sequence's `a: b` items become mappings. */
  private listItems(sequence: number, block: boolean, input: string, result: unknown, close: number): void {
    const index = this.index;
    let children = 0;
    let paired = false;
    for (let c = index.firsts[sequence] ?? -1; c !== -1; c = index.nexts[c] ?? -1) {
      children++;
      if (((index.kinds[c] ?? 0) & AFTER_COLON) !== 0) paired = true;
    }
    if (paired && !block) this.pairItems(sequence);
    if (!block || !Array.isArray(result) || result.length <= children) return;
    // Every `-` at the sequence's column; those no item starts after are empty items.
    // (A `-` inside an item is not one: an indentless sequence in a mapping item is at the same column.)
    const dashes: number[] = [];
    let inside = index.firsts[sequence] ?? -1;
    for (const dash of itemDashes(input, index.starts[sequence] ?? 0, close)) {
      while (inside !== -1 && (index.ends[inside] ?? 0) <= dash) inside = index.nexts[inside] ?? -1;
      if (inside === -1 || dash < (index.starts[inside] ?? 0)) dashes.push(dash);
    }
    if (dashes.length !== result.length) {
      // js-yaml reads a `-` less indented than the sequence after an empty item as one more item.
      const at = strayDash(input, dashes.at(-1) ?? 0, close);
      this.findings.push({ node: sequence, code: 'yaml-syntax', start: at, end: at, text: 'bad indentation of a sequence entry' });
      return;
    }
    let child = index.firsts[sequence] ?? -1;
    let previous = -1;
    dashes.forEach((dash, i) => {
      const following = dashes[i + 1] ?? Infinity;
      const at = child === -1 ? -1 : (index.starts[child] ?? 0);
      if (child !== -1 && at > dash && at < following) {
        previous = child;
        child = index.nexts[child] ?? -1;
        return;
      }
      const empty = index.add();
      const position = skipSpaces(input, dash + 1);
      index.kinds[empty] = NodeKind.Empty;
      index.starts[empty] = position;
      index.ends[empty] = position;
      index.nexts[empty] = child;
      if (previous === -1) index.firsts[sequence] = empty;
      else index.nexts[previous] = empty;
      previous = empty;
    });
  }

  private pairItems(sequence: number): void {
    const index = this.index;
    let previous = -1;
    for (let c = index.firsts[sequence] ?? -1; c !== -1; ) {
      const next = index.nexts[c] ?? -1;
      if (next !== -1 && ((index.kinds[next] ?? 0) & AFTER_COLON) !== 0) {
        const pair = index.add();
        index.kinds[pair] = NodeKind.Mapping;
        index.starts[pair] = index.starts[c] ?? 0;
        index.ends[pair] = index.ends[next] ?? 0;
        index.firsts[pair] = c;
        index.nexts[pair] = index.nexts[next] ?? -1;
        index.nexts[next] = -1;
        if (previous === -1) index.firsts[sequence] = pair;
        else index.nexts[previous] = pair;
        previous = pair;
        c = index.nexts[pair] ?? -1;
      } else {
        previous = c;
        c = next;
      }
    }
  }

  /**
   * `yaml`'s end of a block collection (its `range[1]`): where its last item ends, with what `yaml`
   * gives that item: a scalar its line's comment and break, and the comment lines after it that are
   * indented deeper than the collection; a nested block collection the comment lines after it that
   * are indented at least as deep as it (with the blank lines among them); an empty value with a
   * comment, everything up to the next content.
   */
  private blockEnd(collection: number, input: string, close: number): number {
    const index = this.index;
    let last = -1;
    for (let c = index.firsts[collection] ?? -1; c !== -1; c = index.nexts[c] ?? -1) last = c;
    if (last === -1) return close;
    const end = index.ends[last] ?? close;
    const kind = index.kind(last);
    if ((kind === NodeKind.Mapping || kind === NodeKind.Sequence) && ((index.kinds[last] ?? 0) & BLOCK) !== 0) {
      return commentLines(input, end, columnOf(input, index.starts[last] ?? 0), true);
    }
    const first = input.charCodeAt(index.starts[last] ?? 0);
    if (kind === NodeKind.Scalar && (first === 0x7c || first === 0x3e)) return end;
    let at = skipSpaces(input, end);
    const hasComment = input.charCodeAt(at) === 0x23; /* # */
    if (kind === NodeKind.Empty) {
      const next = contentStart(input, at);
      return input.lastIndexOf('#', next) >= at ? next : end;
    }
    if (hasComment) at = lineEnd(input, at);
    return commentLines(input, pastBreak(input, at), columnOf(input, index.starts[collection] ?? 0) + 1, false);
  }

  /** An alias read inside the collection it names (js-yaml hands it the unfinished collection). */
  private checkRecursion(collection: number, result: unknown, input: string): void {
    for (let i = this.aliases.length - 1; i >= 0; i--) {
      const use = this.aliases[i];
      if (!use || use.node <= collection) break;
      if (use.value === result) {
        const index = this.index;
        this.findings.push({ node: use.node, code: 'yaml-recursive-alias', start: index.starts[use.node] ?? 0, end: index.ends[use.node] ?? 0, text: input.slice(index.starts[use.node], index.ends[use.node]) });
      }
    }
  }
}


/** js-yaml's `"null"` property of a mapping with a null key becomes `""`, in its place. */
function renameNullKey(mapping: Record<string, unknown>): void {
  const entries = Object.entries(mapping);
  for (const [key] of entries) delete mapping[key];
  for (const [key, value] of entries) Object.defineProperty(mapping, key === 'null' ? '' : key, { value, enumerable: true, writable: true, configurable: true });
}
