/**
 * The fast path must be yaml, or nothing: for every generated text `fastParse` either declines, or
 * returns what `parseAllDocuments` returns (values, node kinds, ranges, scalar type/source/format,
 * document range, line starts). Texts are manifest-like YAML plus near-misses of every kind.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { fastParse, PARSE_OPTIONS } from '../../src/source/fast-yaml.js';
import { FC_SEED, FC_SEED_LABEL } from '../helpers/fc-seed.js';

/** FAST_YAML_RUNS=20 for a long hunt; the default keeps the file at a few seconds. */
const RUNS = Number(process.env.FAST_YAML_RUNS ?? '1');

function library(text: string): { docs: Document.Parsed[]; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, ...PARSE_OPTIONS });
  return { docs: Array.isArray(parsed) ? parsed : [], lineCounter };
}

/** Walks both trees in parallel; returns the first difference as a path and message, or undefined. */
function difference(a: unknown, b: unknown, path: string): string | undefined {
  if (isScalar(a) && isScalar(b)) {
    if (!Object.is(a.value, b.value)) return `${path}: value ${String(a.value)} vs ${String(b.value)}`;
    for (const prop of ['type', 'source', 'format', 'tag', 'anchor'] as const) {
      if (a[prop] !== b[prop]) return `${path}: ${prop} ${String(a[prop])} vs ${String(b[prop])}`;
    }
    if (typeof a.value !== typeof b.value) return `${path}: typeof`;
    if (JSON.stringify(a.range) !== JSON.stringify(b.range)) return `${path}: range ${JSON.stringify(a.range)} vs ${JSON.stringify(b.range)}`;
    if (a.constructor !== b.constructor) return `${path}: class`;
    return undefined;
  }
  if ((isMap(a) && isMap(b)) || (isSeq(a) && isSeq(b))) {
    if (JSON.stringify(a.range) !== JSON.stringify(b.range)) return `${path}: range ${JSON.stringify(a.range)} vs ${JSON.stringify(b.range)}`;
    if (a.constructor !== b.constructor || a.flow !== b.flow || a.tag !== b.tag) return `${path}: collection kind`;
    if (a.items.length !== b.items.length) return `${path}: ${a.items.length} vs ${b.items.length} items`;
    for (let i = 0; i < a.items.length; i++) {
      const x: unknown = a.items[i];
      const y: unknown = b.items[i];
      if (isPair(x) && isPair(y)) {
        const d = difference(x.key, y.key, `${path}/${i}:key`) ?? difference(x.value, y.value, `${path}/${i}:value`);
        if (d) return d;
      } else if (isPair(x) || isPair(y)) {
        return `${path}/${i}: pair vs node`;
      } else {
        const d = difference(x, y, `${path}/${i}`);
        if (d) return d;
      }
    }
    return undefined;
  }
  if (a === null && b === null) return undefined;
  return `${path}: node kinds differ`;
}

/** Undefined when the fast path declines or agrees with yaml; otherwise what differs. */
function check(text: string): { accepted: boolean; problem?: string } {
  const fastCounter = new LineCounter();
  const fast = fastParse(text, fastCounter);
  if (!fast) {
    if (fastCounter.lineStarts.length > 0) return { accepted: false, problem: 'declined but filled the line counter' };
    return { accepted: false };
  }
  const lib = library(text);
  const doc = lib.docs[0];
  if (lib.docs.length !== 1 || !doc) return { accepted: true, problem: `yaml reads ${lib.docs.length} documents` };
  if (doc.errors.length > 0 || doc.warnings.length > 0) {
    return { accepted: true, problem: `yaml reports ${[...doc.errors, ...doc.warnings].map((e) => e.message).join('; ')}` };
  }
  if (fast.errors.length > 0 || fast.warnings.length > 0) return { accepted: true, problem: 'fast path reports errors' };
  const tree = difference(fast.contents, doc.contents, '');
  if (tree) return { accepted: true, problem: tree };
  if (JSON.stringify(fast.range) !== JSON.stringify(doc.range)) return { accepted: true, problem: `document range ${JSON.stringify(fast.range)} vs ${JSON.stringify(doc.range)}` };
  if (JSON.stringify(fastCounter.lineStarts) !== JSON.stringify(lib.lineCounter.lineStarts)) return { accepted: true, problem: 'line starts' };
  try {
    expect(fast.toJS({ maxAliasCount: 100 })).toStrictEqual(doc.toJS({ maxAliasCount: 100 }));
    expect(fast.directives).toStrictEqual(doc.directives);
    // The composer's private stream directives aside, and each with its own line counter.
    const { _directives: _ignored, lineCounter: libraryCounter, ...libraryOptions } = doc.options as typeof doc.options & { _directives?: unknown };
    const { lineCounter: fastOptionsCounter, ...fastOptions } = fast.options;
    expect(fastOptions).toStrictEqual(libraryOptions);
    expect(libraryCounter).toBe(lib.lineCounter);
    expect(fastOptionsCounter).toBe(fastCounter);
    expect(fast.schema).toStrictEqual(doc.schema);
  } catch (err) {
    return { accepted: true, problem: err instanceof Error ? err.message : String(err) };
  }
  return { accepted: true };
}

// ---- generators

const WORDS = ['Healthcare Database', 'Enrichment', '_healthcare_prod', 'append', 'none', 'overwrite', 'Sales, EU', 'a', 'x y  z', 'Ünïcode ✓', 'C:\\data'];
/** Plain scalars a manifest writes, each safe for the fast path. */
const safeScalar = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.nat({ max: 100_000 }).map(String),
  fc.constantFrom('null', 'true', 'false', '42', '-7', '0', "'quoted'", '"double quoted"', "'it''s'", '"a: b # c"', "'#x'", "''", '""'),
);
/** Everything the core schema treats specially, and what plain and quoted scalars may not contain. */
const trickyScalar = fc.oneof(
  fc.constantFrom(
    '1e3', '1E-3', '0x1F', '0X1F', '0o17', '0o8', '010', '+1', '-1', '+', '-', '.5', '5.', '1.50', '1_000', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '.NAN',
    'null', 'Null', 'NULL', 'nULL', '~', '~x', 'yes', 'no', 'on', 'True', 'TRUE', 'tRUE', 'False', 'FALSE', '', '12345678901234567890', '0.1e', '1e',
    'a#b', 'a #b', 'a: b', 'a:b', 'a:', 'x[1]', '[a]', '{a: 1}', '[]', '{}', '&a x', '*a', '!t x', '!!str 1', '|', '>', '|-\n  x', "'q'", '"q"', "'it''s'", "'a''", "'''",
    '"a\\nb"', '"a: b"', "'a # b'", '"x" y', "'x'#c", '- x', '-x', '-.5', '--x', '---', '...', '?x', '? x', ':x', '%x', '@x', '`x', 'a\tb', '#', 'a  b', 'a ', '\'', '"',
    ',x', 'x,', '-1:', '<<', 'a - b', 'http://x:80/y', 'a\rb', '\u00a0', '\ufeffx', 'é',
  ),
  fc.string({ maxLength: 6, unit: fc.constantFrom('a', '1', ' ', ':', '#', '-', "'", '"', '.', '[', '{', ',', '\\', '0', 'x', 'e', '+', '_') }),
);
const safeKey = fc.constantFrom('datastore', 'enrichment_datastore', 'enrichment_prefix', 'enrichment_source_record_limit', 'version', 'defaults', 'datastores', 'users', 'a', 'b', '_x', 'K9');
const trickyKey = fc.oneof(safeKey, fc.constantFrom('true', 'null', 'Null', '~', '1', '0x1', 'a-b', 'a b', "'q'", '"q"', '? a', '<<', '-a', 'a:b', 'a.b', ''));

type Tree = { kind: 'scalar'; text: string } | { kind: 'empty' } | { kind: 'map'; entries: Array<[string, Tree]> } | { kind: 'seq'; items: Tree[] };

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

interface Style {
  step: number;
  indentSeqs: boolean;
  crlf: boolean;
  comments: Array<{ indent: number; text: string } | null>;
  trailing: string[];
}

const style: fc.Arbitrary<Style> = fc.record({
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
function render(root: Tree, s: Style): string {
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
const mutation = fc.array(
  fc.record({ at: fc.nat(), op: fc.constantFrom('insert', 'delete', 'replace'), char: fc.constantFrom(' ', '\t', '-', ':', '#', "'", '"', '\n', '\r', '[', '&', '*', '!', '|', 'a', '0', '.', '?') }),
  { maxLength: 3 },
);

function mutate(text: string, edits: Array<{ at: number; op: string; char: string }>): string {
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
function manifestTree(scalar: fc.Arbitrary<string>, key: fc.Arbitrary<string>): fc.Arbitrary<Tree> {
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

const rootTree = (scalar: fc.Arbitrary<string>, key: fc.Arbitrary<string>): fc.Arbitrary<Tree> =>
  tree(scalar, key).filter((t) => t.kind === 'map' || t.kind === 'seq');

const plainStyle: fc.Arbitrary<Style> = fc.record({
  step: fc.constantFrom(2, 4),
  indentSeqs: fc.boolean(),
  crlf: fc.boolean(),
  comments: fc.array(fc.option(fc.record({ indent: fc.constantFrom(0, 2, 4), text: fc.constantFrom('# note', '') }), { freq: 5 }), { maxLength: 10 }),
  trailing: fc.array(fc.constantFrom('', '', ' # why'), { maxLength: 10 }),
});

function expectExact(text: string): boolean {
  const { accepted, problem } = check(text);
  if (problem) throw new Error(`fast path differs from yaml (${problem}) for ${JSON.stringify(text)}`);
  return accepted;
}

describe(`fastParse, ${FC_SEED_LABEL}`, () => {
  it('is yaml or declines, on manifest-like texts with tricky scalars, keys, comments and layouts', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(rootTree(fc.oneof(safeScalar, trickyScalar), trickyKey), manifestTree(fc.oneof(safeScalar, trickyScalar), trickyKey)), fc.oneof(style, plainStyle), (t, s) => {
        if (expectExact(render(t, s))) accepted++;
      }),
      { numRuns: 3000 * RUNS, seed: FC_SEED },
    );
    // Not vacuous: a fair share of these is within the subset, and so compared node by node.
    if (process.env.SHOW_DECLINED) console.log('accepted', accepted);
    expect(accepted).toBeGreaterThan(150);
  });

  it('is yaml or declines, on near-misses made by editing valid texts', () => {
    fc.assert(
      fc.property(rootTree(fc.oneof(safeScalar, trickyScalar), trickyKey), style, mutation, (t, s, edits) => {
        expectExact(mutate(render(t, s), edits));
      }),
      { numRuns: 2500 * RUNS, seed: FC_SEED },
    );
  });

  it('accepts plain manifests, exactly', () => {
    let accepted = 0;
    let runs = 0;
    fc.assert(
      fc.property(manifestTree(safeScalar, safeKey), plainStyle, (t, s) => {
        runs++;
        if (expectExact(render(t, s))) accepted++;
        else if (process.env.SHOW_DECLINED) console.log(JSON.stringify(render(t, s)));
      }),
      { numRuns: 1000 * RUNS, seed: FC_SEED },
    );
    expect(accepted / runs).toBeGreaterThan(0.9);
  });

  it('resolves every tricky scalar as yaml does, as a value, a sequence item and after comments', () => {
    let accepted = 0;
    fc.assert(
      fc.property(trickyScalar, fc.constantFrom('', ' ', ' # c', '  #c'), fc.boolean(), (scalar, trailing, crlf) => {
        const nl = crlf ? '\r\n' : '\n';
        for (const text of [`a: ${scalar}${trailing}${nl}b: 1${nl}`, `a:${nl}  - ${scalar}${trailing}${nl}  - x${nl}`, `- ${scalar}${trailing}`, `${scalar}: 1${nl}`]) {
          if (expectExact(text)) accepted++;
        }
      }),
      { numRuns: 1000 * RUNS, seed: FC_SEED },
    );
    expect(accepted).toBeGreaterThan(1000);
  });

  it('accepts the hand-written shapes of real manifests, exactly', () => {
    const samples = [
      '# comment\nversion: 1\ndefaults:\n  enrichment_source_record_limit: 100\ndatastores:\n  - datastore: Healthcare Database            # trailing comment\n    enrichment_datastore: Healthcare Enrichment\n    enrichment_prefix: _healthcare_prod\n    enrichment_source_record_limit: 100\n    enrichment_remediation_strategy: append\n  - datastore: 42\n    enrichment_datastore: null\n',
      'datastores:\n- datastore: a\n  enrichment_datastore:\n# between\n\n- datastore: b\n',
      'a:\n  b: 1\n  # in\n# out\n\nc: 2\n',
      'a:\n  - 1\n    # deeper\n  # in\n # less\nb: 2',
      '# lead\n\na: 1 # t\n  # x\n',
      'a: # c\nb: 1',
      'a:\n# c\nb: 1\n',
      'a:\r\n  - b  # c\r\n  - "x"\r\n',
      'users:\n  - name: x\n    roles:\n    - admin\n    - "viewer"\n',
    ];
    for (const text of samples) expect(expectExact(text), text).toBe(true);
  });

  it('is yaml or declines on every YAML file in examples/ and test/', () => {
    const files = ['examples', 'test'].flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => join(dir, f)),
    );
    expect(files.length).toBeGreaterThan(0);
    const accepted = files.filter((file) => expectExact(readFileSync(file, 'utf8')));
    expect(accepted.length).toBeGreaterThan(files.length / 2);
  });

  it('accepts the 10,000-entry bench manifest', () => {
    const lines = ['version: 1', 'defaults:', '  enrichment_source_record_limit: 100', '  high_count_rollup_threshold: 10', 'datastores:'];
    for (let i = 0; i < 10_000; i++) {
      lines.push(`  - datastore: Source datastore ${i}`, `    enrichment_datastore: Enrichment ${i % 25}`, `    enrichment_prefix: _source_${i}`);
      lines.push(`    enrichment_source_record_limit: ${(i % 1000) + 1}`, `    enrichment_remediation_strategy: ${['none', 'append', 'overwrite'][i % 3]}`);
    }
    expect(expectExact(`${lines.join('\n')}\n`)).toBe(true);
  });

  it('declines what is outside the subset', () => {
    for (const text of ['', '# only a comment\n', '---\na: 1\n', 'a: 1\n---\nb: 2\n', 'a: [1]\n', 'a: &x 1\nb: *x\n', 'a: !t 1\n', 'a: |\n  x\n', '? a\n: 1\n', 'a: x\n  y\n', '\ta: 1\n', 'a: "\\n"\n', '  a: 1\n', 'a: 1\rb: 2']) {
      const counter = new LineCounter();
      expect(fastParse(text, counter), JSON.stringify(text)).toBeUndefined();
      expect(counter.lineStarts).toEqual([]);
    }
  });
});
