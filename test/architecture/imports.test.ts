/**
 * The shape of src/: imports between folders only as ARCHITECTURE.md's table allows, no import
 * cycle between files (type imports included), a package loaded with import() taken only for its
 * default (what the bundle gives), no source file over 400 lines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');
/** Replaced by a library in the speed issue; until then the one file allowed to be long. */
const LONG_FILES_ALLOWED = new Set<string>();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative module a file imports or re-exports, statically or dynamically, as a src path. */
export function importsOf(file: string, text: string): string[] {
  const specs = [
    ...text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
  return specs.map((spec) => resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
}

const folderOf = (file: string): string => relative(SRC, file).split('/')[0]!;

/**
 * `import('package')` whose result is used for anything but `default` (`file:line package`): read
 * through TypeScript's parser, the result is taken only as `{ default: x }`, `(await import()).default`
 * or an element of `await Promise.all([...])` destructured so.
 */
function namedPackageImports(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const onlyDefault = (pattern: ts.Node | undefined): boolean =>
    pattern !== undefined && ts.isObjectBindingPattern(pattern) && pattern.elements.every((e) => !e.dotDotDotToken && (e.propertyName ?? e.name).getText(source) === 'default');
  const takesDefault = (call: ts.Node): boolean => {
    let node = call.parent;
    let index: number | undefined;
    if (ts.isArrayLiteralExpression(node)) {
      // `await Promise.all([import('a'), ...])`, destructured as an array.
      index = node.elements.indexOf(call as ts.Expression);
      node = node.parent;
      if (!ts.isCallExpression(node) || node.expression.getText(source) !== 'Promise.all') return false;
      node = node.parent;
    }
    if (!ts.isAwaitExpression(node)) return false;
    while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
    const user = node.parent;
    if (index === undefined && ts.isPropertyAccessExpression(user)) return user.name.text === 'default';
    if (!ts.isVariableDeclaration(user)) return false;
    if (index === undefined) return onlyDefault(user.name);
    const element = ts.isArrayBindingPattern(user.name) ? user.name.elements[index] : undefined;
    return element !== undefined && ts.isBindingElement(element) && onlyDefault(element.name);
  };
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const spec = node.arguments[0];
      if (spec && ts.isStringLiteral(spec) && !spec.text.startsWith('.') && !takesDefault(node)) {
        found.push(`${relative(SRC, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1} ${spec.text}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function allowedTable(): Map<string, Set<string>> {
  const text = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
  const section = text.split('## Which folder may import which')[1]?.split('\n## ')[0] ?? '';
  const table = new Map<string, Set<string>>();
  for (const row of section.matchAll(/^\| `([a-z]+)\/` \| (.+) \|$/gm)) {
    const may = row[2]!.trim();
    table.set(row[1]!, may === 'every folder' ? new Set(['*']) : new Set([...may.matchAll(/`([a-z]+)\/`/g)].map((m) => m[1]!)));
  }
  return table;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f, readFileSync(f, 'utf8'))]));

describe('the shape of src/', () => {
  it('reads a rule for every folder from ARCHITECTURE.md', () => {
    const table = allowedTable();
    expect([...new Set(files.map(folderOf))].filter((f) => !f.endsWith('.ts') && !table.has(f))).toStrictEqual([]);
    expect(table.get('plan')).toStrictEqual(new Set(['core', 'model']));
  });

  it('imports across folders only as the table allows', () => {
    const table = allowedTable();
    const offending: string[] = [];
    for (const [file, imports] of graph) {
      const from = folderOf(file);
      const may = table.get(from) ?? new Set<string>();
      for (const target of imports) {
        const to = folderOf(target);
        if (to !== from && !may.has('*') && !may.has(to)) offending.push(`${relative(SRC, file)} imports ${relative(SRC, target)}`);
      }
    }
    expect(offending).toStrictEqual([]);
  });

  it('has no import cycle between files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'visiting');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (!graph.has(next)) continue;
        if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => relative(SRC, f)).join(' -> '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toStrictEqual([]);
  });

  it('sees type imports, re-exports and dynamic imports, so no edge escapes the checks', () => {
    const a = join(SRC, 'plan', 'a.ts');
    expect(importsOf(a, "import type { X } from '../cli/x.js';\nexport { Y } from './b.js';\nconst z = await import('../api/z.js');"))
      .toStrictEqual([join(SRC, 'cli', 'x.ts'), join(SRC, 'plan', 'b.ts'), join(SRC, 'api', 'z.ts')]);
  });

  it('takes only the default of a package it loads with import(): in the bundle a CommonJS package loaded so gives nothing else', () => {
    // (await import('yaml')).parse was undefined in the bundle only (in-process tests run src, where Node gives named exports).
    expect(namedPackageImports(join(SRC, 'x.ts'), [
      "const { default: Pool } = await import('undici/lib/dispatcher/pool.js');",
      "const [{ default: a }, b] = await Promise.all([import('p/a.js'), make()]);",
      "const { parse } = await import('yaml');",
      "const y = (await import('yaml')).parse;",
      "const ns = await import('yaml');",
      "const [{ parse: p2 }] = await Promise.all([import('yaml')]);",
      "const ours = (await import('./ours.js')).anything;",
    ].join('\n'))).toStrictEqual(['x.ts:3 yaml', 'x.ts:4 yaml', 'x.ts:5 yaml', 'x.ts:6 yaml']);
    expect(files.flatMap((f) => namedPackageImports(f, readFileSync(f, 'utf8')))).toStrictEqual([]);
  });

  it('keeps every source file under 400 lines', () => {
    const long = files
      .filter((f) => !LONG_FILES_ALLOWED.has(relative(SRC, f)))
      .filter((f) => readFileSync(f, 'utf8').split('\n').length > 400)
      .map((f) => relative(SRC, f));
    expect(long).toStrictEqual([]);
  });
});
