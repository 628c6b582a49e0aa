/** The escaping functions every server-provided text in Markdown goes through, one context each. */
import { describe, expect, it } from 'vitest';
import { codeSpan, fencedBlock, htmlText, markdownText } from '../../src/render/markdown-escape.js';

const ZWSP = '\u200b';

describe('markdown escaping', () => {
  it.each([
    ['plain', 'Orders', 'Orders'],
    ['a table cell break', 'a | b', 'a \\| b'],
    ['a line break', 'a\nb\r\nc\u2028d', 'a␤b␤c␤d'],
    ['a link and an image', '[x](y) ![i](j)', '\\[x\\](y) \\!\\[i\\](j)'],
    ['HTML', '<img src=x>&amp;', '&lt;img src=x&gt;&amp;amp;'],
    ['emphasis, code, strikethrough, math', '*a* _b_ `c` ~d~ $e$', '\\*a\\* \\_b\\_ \\`c\\` \\~d\\~ \\$e\\$'],
    ['a heading', '# Title', '\\# Title'],
    ['a list marker', '- item', '\\- item'],
    ['an ordered list marker', '1. item', '1\\. item'],
    ['a mention', '@team', `@${ZWSP}team`],
    ['an autolink', 'see https://x.example or www.x.example', `see https:${ZWSP}//x.example or www${ZWSP}.x.example`],
    ['a backslash', 'a\\b', 'a\\\\b'],
    ['bidi overrides', 'a\u202Eb\u2066c', 'a\ufffdb\ufffdc'],
    // Markdown and HTML would trim or collapse these, and two names would read as one.
    ['leading, trailing and repeated spaces', ' Leading  two ', '\u00a0Leading\u00a0\u00a0two\u00a0'],
  ])('markdownText: %s', (_, input, expected) => {
    expect(markdownText(input)).toBe(expected);
  });

  it('htmlText: entities, one line, no mention, spaces kept', () => {
    expect(htmlText('</summary><b a="1">[x](y) | `c` @me\nnext')).toBe(`&lt;/summary&gt;&lt;b a=&quot;1&quot;&gt;&#91;x&#93;(y) &#124; &#96;c&#96; @${ZWSP}me␤next`);
    expect(htmlText('Orders  Daily')).toBe('Orders\u00a0\u00a0Daily');
  });

  it.each([
    ['no backticks', 'GET /a', '`GET /a`'],
    ['one backtick', 'a`b', '``a`b``'],
    ['a run of three', 'a```b', '````a```b````'],
    ['starts with a backtick', '`a', '`` `a ``'],
    ['a line break', 'a\nb', '`a␤b`'],
  ])('codeSpan: %s', (_, input, expected) => {
    expect(codeSpan(input)).toBe(expected);
  });

  it('fencedBlock: a fence longer than any backtick run, one line per value', () => {
    expect(fencedBlock('diff', ['+ a', '- ```` b\nc'])).toBe('`````diff\n+ a\n- ```` b␤c\n`````');
    expect(fencedBlock('diff', ['x'])).toBe('```diff\nx\n```');
  });
});
