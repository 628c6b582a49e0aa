/**
 * Generators of YAML texts for the differential tests of the YAML reader: manifest-like trees
 * with tricky scalars and keys, rendered in block style with comments, blank lines, trailing text,
 * CRLF; and small edits that turn them into near-misses.
 */
import fc from 'fast-check';

const WORDS = ['Healthcare Database', 'Enrichment', '_healthcare_prod', 'append', 'none', 'overwrite', 'Sales, EU', 'a', 'x y  z', 'Ünïcode ✓', 'C:\\data'];
/** Plain scalars a manifest writes. */
export const safeScalar = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.nat({ max: 100_000 }).map(String),
  fc.constantFrom('null', 'true', 'false', '42', '-7', '0', "'quoted'", '"double quoted"', "'it''s'", '"a: b # c"', "'#x'", "''", '""'),
);
/** Everything the core schema treats specially, and what plain and quoted scalars may not contain. */
export const trickyScalar = fc.oneof(
  fc.constantFrom(
    '1e3', '1E-3', '0x1F', '0X1F', '0o17', '0o8', '010', '+1', '-1', '+', '-', '.5', '5.', '1.50', '1_000', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '.NAN',
    'null', 'Null', 'NULL', 'nULL', '~', '~x', 'yes', 'no', 'on', 'True', 'TRUE', 'tRUE', 'False', 'FALSE', '', '12345678901234567890', '0.1e', '1e',
    'a#b', 'a #b', 'a: b', 'a:b', 'a:', 'x[1]', '[a]', '{a: 1}', '[]', '{}', '&a x', '*a', '!t x', '!!str 1', '|', '>', '|-\n  x', "'q'", '"q"', "'it''s'", "'a''", "'''",
    '"a\\nb"', '"a: b"', "'a # b'", '"x" y', "'x'#c", '- x', '-x', '-.5', '--x', '---', '...', '?x', '? x', ':x', '%x', '@x', '`x', 'a\tb', '#', 'a  b', 'a ', '\'', '"',
    ',x', 'x,', '-1:', '<<', 'a - b', 'http://x:80/y', 'a\rb', '\u00a0', '\ufeffx', 'é',
  ),
  fc.string({ maxLength: 6, unit: fc.constantFrom('a', '1', ' ', ':', '#', '-', "'", '"', '.', '[', '{', ',', '\\', '0', 'x', 'e', '+', '_') }),
);
export const safeKey = fc.constantFrom('datastore', 'enrichment_datastore', 'enrichment_prefix', 'enrichment_source_record_limit', 'version', 'defaults', 'datastores', 'users', 'a', 'b', '_x', 'K9');
export const trickyKey = fc.oneof(safeKey, fc.constantFrom('true', 'null', 'Null', '~', '1', '0x1', 'a-b', 'a b', "'q'", '"q"', '? a', '<<', '-a', 'a:b', 'a.b', ''));

export type Tree = { kind: 'scalar'; text: string } | { kind: 'empty' } | { kind: 'map'; entries: Array<[string, Tree]> } | { kind: 'seq'; items: Tree[] };

function tree(scalar: fc.Arbitrary<string>, key: fc.Arbitrary<string>): fc.Arbitrary<Tree> {
  const { node } = fc.letrec<{ node: Tree; map: Tree; seq: Tree }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar.map((text): Tree => ({ kind: 'scalar', text })),
      fc.constant<Tree>({ kind: 'empty' }),
      tie('map'),
      tie('seq'),
    ),
    map: fc.array(fc.tuple(key, tie('node')), { minLength: 1, maxLength: 4 }).map((entries): Tree => ({ kind: 'map', entries })),
    seq: fc.array(tie('node'), { minLength: 1, maxLength: 4 }).map((items): Tree => ({ kind: 'seq', items })),
  }));
  return node;
}

export interface Style {
  step: number;
  indentSeqs: boolean;
  crlf: boolean;
  comments: Array<{ indent: number; text: string } | null>;
  trailing: string[];
}

export const style: fc.Arbitrary<Style> = fc.record({
  step: fc.constantFrom(2, 2, 4, 1, 3),
  indentSeqs: fc.boolean(),
  crlf: fc.boolean(),
  // Comment or blank lines sprinkled between lines, at random indents (null: none here).
  comments: fc.array(
    fc.option(fc.record({ indent: fc.nat({ max: 8 }), text: fc.constantFrom('# c', '#', '#: x', '', '   ', '# - x') }), { freq: 3 }),
    { maxLength: 40 },
  ),
  // Trailing text after values: nothing, spaces, comments.
  trailing: fc.array(fc.constantFrom('', '', '', ' ', '  ', ' # t', '  #t #u', '#x', ' #', '\t'), { maxLength: 40 }),
});

/** Renders a tree as block YAML (the root at column 0), with comments, blank lines and trailing text. */
export function render(root: Tree, s: Style): string {
  const lines: string[] = [];
  let n = 0;
  const trail = (): string => s.trailing[n++ % Math.max(1, s.trailing.length)] ?? '';
  const emit = (line: string): void => {
    const c = s.comments[lines.length % Math.max(1, s.comments.length)];
    if (c) lines.push(' '.repeat(c.indent) + c.text);
    lines.push(line);
  };
  // `prefix` is what precedes the first line of the node (`key:` or `- `), `indent` its column.
  const node = (t: Tree, indent: number, first: string | null): void => {
    const pad = ' '.repeat(indent);
    if (t.kind === 'map') {
      t.entries.forEach(([k, v], i) => {
        const lead = i === 0 && first !== null ? first : pad;
        if (v.kind === 'scalar') emit(`${lead}${k}: ${v.text}${trail()}`);
        else if (v.kind === 'empty') emit(`${lead}${k}:${trail()}`);
        else {
          emit(`${lead}${k}:${trail()}`);
          node(v, v.kind === 'seq' && !s.indentSeqs ? indent : indent + s.step, null);
        }
      });
    } else if (t.kind === 'seq') {
      t.items.forEach((v, i) => {
        const lead = i === 0 && first !== null ? first : pad;
        if (v.kind === 'scalar') emit(`${lead}- ${v.text}${trail()}`);
        else if (v.kind === 'empty') emit(`${lead}-${trail()}`);
        else if (v.kind === 'map') node(v, indent + 2, `${lead}- `);
        else {
          emit(`${lead}-${trail()}`);
          node(v, indent + s.step, null);
        }
      });
    } else if (t.kind === 'scalar') {
      emit(`${first ?? pad}${t.text}${trail()}`);
    } else {
      emit(`${first ?? pad}${trail()}`);
    }
  };
  node(root, 0, null);
  const text = lines.join(s.crlf ? '\r\n' : '\n');
  return s.trailing.length % 3 === 0 ? text : `${text}${s.crlf ? '\r\n' : '\n'}`;
}

/** Small edits that turn valid YAML into near-misses: a character inserted, removed or replaced. */
export const mutation = fc.array(
  fc.record({ at: fc.nat(), op: fc.constantFrom('insert', 'delete', 'replace'), char: fc.constantFrom(' ', '\t', '-', ':', '#', "'", '"', '\n', '\r', '[', '&', '*', '!', '|', 'a', '0', '.', '?') }),
  { maxLength: 3 },
);

export function mutate(text: string, edits: Array<{ at: number; op: string; char: string }>): string {
  let out = text;
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % out.length;
    if (e.op === 'insert') out = out.slice(0, at) + e.char + out.slice(at);
    else if (e.op === 'delete') out = out.slice(0, at) + out.slice(at + 1);
    else out = out.slice(0, at) + e.char + out.slice(at + 1);
  }
  return out;
}

/** Manifest-shaped trees: sequence items are scalars or mappings, never empty or nested sequences. */
export function manifestTree(scalar: fc.Arbitrary<string>, key: fc.Arbitrary<string>): fc.Arbitrary<Tree> {
  const { map } = fc.letrec<{ value: Tree; item: Tree; map: Tree; seq: Tree }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar.map((text): Tree => ({ kind: 'scalar', text })),
      fc.constant<Tree>({ kind: 'empty' }),
      tie('map'),
      tie('seq'),
    ),
    item: fc.oneof({ depthSize: 'small' }, scalar.map((text): Tree => ({ kind: 'scalar', text })), tie('map')),
    map: fc.array(fc.tuple(key, tie('value')), { minLength: 1, maxLength: 5 }).map((entries): Tree => ({ kind: 'map', entries })),
    seq: fc.array(tie('item'), { minLength: 1, maxLength: 5 }).map((items): Tree => ({ kind: 'seq', items })),
  }));
  return map;
}

export const rootTree = (scalar: fc.Arbitrary<string>, key: fc.Arbitrary<string>): fc.Arbitrary<Tree> =>
  tree(scalar, key).filter((t) => t.kind === 'map' || t.kind === 'seq');

export const plainStyle: fc.Arbitrary<Style> = fc.record({
  step: fc.constantFrom(2, 4),
  indentSeqs: fc.boolean(),
  crlf: fc.boolean(),
  comments: fc.array(fc.option(fc.record({ indent: fc.constantFrom(0, 2, 4), text: fc.constantFrom('# note', '') }), { freq: 5 }), { maxLength: 10 }),
  trailing: fc.array(fc.constantFrom('', '', ' # why'), { maxLength: 10 }),
});
