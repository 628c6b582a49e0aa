/**
 * What js-yaml's positions mean in the text: where a node's own text starts (past spaces, comments,
 * its tag and anchor), where a scalar ends (js-yaml stops past trailing spaces), whether a `:`
 * separates two nodes, and the comment lines `yaml` counts into a block collection's end.
 * Offsets are into js-yaml's text (the file without a byte order mark, with a final line break).
 */
export function isBreak(c: number): boolean {
  return c === 0x0a || c === 0x0d;
}

function isSpaceOrBreak(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0 || Number.isNaN(c);
}

export function skipSpaces(input: string, at: number): number {
  let c = input.charCodeAt(at);
  while (c === 0x20 || c === 0x09) c = input.charCodeAt(++at);
  return at;
}

/** The end of an anchor, alias or tag name starting at `at`. */
export function tokenEnd(input: string, at: number, stopAtFlow: boolean): number {
  for (;;) {
    const c = input.charCodeAt(at);
    if (isSpaceOrBreak(c) || (stopAtFlow && (c === 0x2c || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d))) return at;
    at++;
  }
}

/** Where a node's own text starts: past spaces, line breaks, comments, and its tag and anchor. */
export function contentStart(input: string, at: number): number {
  for (;;) {
    const c = input.charCodeAt(at);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      at++;
    } else if (c === 0x23 /* # */) {
      while (at < input.length && !isBreak(input.charCodeAt(at))) at++;
    } else if (c === 0x21 /* ! */ && input.charCodeAt(at + 1) === 0x3c /* < */) {
      const close = input.indexOf('>', at);
      at = close === -1 ? input.length : close + 1;
    } else if (c === 0x21 || c === 0x26 /* & */) {
      at = tokenEnd(input, at + 1, c === 0x26);
    } else {
      return at;
    }
  }
}

/** Whether a `:` stands between two offsets, outside comments. */
export function colonBetween(input: string, from: number, to: number): boolean {
  for (let at = from; at < to; at++) {
    const c = input.charCodeAt(at);
    if (c === 0x3a) return true;
    if (c === 0x23 && (at === from || isSpaceOrBreak(input.charCodeAt(at - 1)))) {
      while (at < to && !isBreak(input.charCodeAt(at))) at++;
    }
  }
  return false;
}

export function columnOf(input: string, at: number): number {
  return at - (input.lastIndexOf('\n', at - 1) + 1);
}

export function lineEnd(input: string, at: number): number {
  while (at < input.length && !isBreak(input.charCodeAt(at)) && input.charCodeAt(at) !== 0) at++;
  return at;
}

/**
 * Past the comment lines from `at` (a line start) indented at least `indent`, and the blank lines
 * among them; after a `nested` collection, also past the blank lines and indentation that follow.
 */
export function commentLines(input: string, at: number, indent: number, nested: boolean): number {
  let end = at;
  let line = at;
  while (line < input.length) {
    // Indentation is spaces only: a tab ends it.
    let spaces = line;
    while (input.charCodeAt(spaces) === 0x20) spaces++;
    const text = skipSpaces(input, spaces);
    const c = input.charCodeAt(text);
    if (c === 0x23 && spaces - line >= indent) {
      line = pastBreak(input, lineEnd(input, text));
      end = line;
    } else if (isBreak(c)) {
      line = pastBreak(input, text);
    } else {
      break;
    }
  }
  if (!nested || end === at) return end;
  while (isSpaceOrBreak(input.charCodeAt(end)) && end < input.length && input.charCodeAt(end) !== 0) end++;
  return end;
}

export function pastBreak(input: string, at: number): number {
  if (input.charCodeAt(at) === 0x0d && input.charCodeAt(at + 1) === 0x0a) return at + 2;
  return isBreak(input.charCodeAt(at)) ? at + 1 : at;
}

/** A block scalar (`|`, `>`) ends with its last line's break; js-yaml stops past the blank lines after it. */
export function blockScalarEnd(input: string, close: number, start: number): number {
  const content = trimBack(input, close, start);
  // Without content, the blank lines after the header are the scalar's too.
  const header = input.indexOf('\n', start);
  if (header >= content) return input.lastIndexOf('\n', close - 1) + 1;
  // So are the lines of nothing but spaces after the last content line, as deep as the content.
  const indent = columnOf(input, skipSpaces(input, header + 1));
  let end = pastBreak(input, lineEnd(input, content));
  for (let spaces = skipSpaces(input, end); spaces - end > indent && isBreak(input.charCodeAt(spaces)); spaces = skipSpaces(input, end)) end = pastBreak(input, spaces);
  return end;
}

/** Where `yaml` puts an empty node: after its indicator, tag and anchor, and the spaces after them. */
export function emptyPosition(input: string, at: number): number {
  at = skipSpaces(input, at);
  for (let c = input.charCodeAt(at); c === 0x21 /* ! */ || c === 0x26 /* & */; c = input.charCodeAt(at)) at = skipSpaces(input, tokenEnd(input, at + 1, c === 0x26));
  return at;
}

/** A plain scalar's end: js-yaml stops past the spaces before a comment or a `:`. */
export function trimBack(input: string, end: number, start: number): number {
  while (end > start && isSpaceOrBreak(input.charCodeAt(end - 1))) end--;
  return end;
}

/** The tag as written (`!secret`, `!!int`), which precedes its node, possibly on the line before. */
export function writtenTag(input: string, nodeStart: number): { start: number; text: string } | undefined {
  let end = nodeStart;
  while (end > 0 && /\s/.test(input[end - 1] ?? '')) end--;
  let start = end;
  while (start > 0 && !/\s/.test(input[start - 1] ?? '')) start--;
  const written = input.slice(start, end);
  if (written.startsWith('!')) return { start, text: written };
  // An anchor between the tag and the node: `!t &a x`.
  return written.startsWith('&') ? writtenTag(input, start) : undefined;
}

export function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

/** The `-` of every item of the block sequence starting at `start`, up to `close`: those at its column. */
export function itemDashes(input: string, start: number, close: number): number[] {
  const lineStart = input.lastIndexOf('\n', start - 1) + 1;
  const column = start - lineStart;
  const dashes: number[] = [];
  for (let line = lineStart; line !== -1 && line < close; ) {
    const dash = line + column;
    if (input.charCodeAt(dash) === 0x2d && isSpaceOrBreak(input.charCodeAt(dash + 1)) && /^ *$/.test(input.slice(line, dash))) dashes.push(dash);
    const next = input.indexOf('\n', line);
    line = next === -1 ? -1 : next + 1;
  }
  return dashes;
}

/** After the last `-` of a sequence (at `from`), the first `-` starting a line less indented than it; else `close`. */
export function strayDash(input: string, from: number, close: number): number {
  const column = columnOf(input, from);
  for (let line = input.indexOf('\n', from) + 1; line > 0 && line < close; line = input.indexOf('\n', line) + 1) {
    const text = skipSpaces(input, line);
    if (input.charCodeAt(text) === 0x2d && text - line < column) return text;
  }
  return close;
}
