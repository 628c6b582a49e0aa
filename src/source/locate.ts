/**
 * From a JSON pointer into the plain data (what ajv reports) back to the YAML node it came from.
 * Aliases are followed when descending, but a value written as `*alias` is pointed at where the
 * alias is written, which is where the user looks.
 */
import { isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import { nodeRange, type SourceRange, type YamlDocument } from './positions.js';

/** `/datastores/3/enrichment_prefix` -> `['datastores', '3', 'enrichment_prefix']`. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export type NodePart = 'key' | 'value';

/**
 * The node at `path` (its key or its value); the deepest node reached when the path does not exist.
 * `from` starts the walk at a node found before (callers looking up many keys of one entry).
 */
export function findNode(document: YamlDocument, path: readonly string[], part: NodePart = 'value', from?: Node): Node | undefined {
  let node: unknown = from ?? document.tree.contents;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const container = isAlias(node) ? node.resolve(document.tree) : node;
    if (isMap(container)) {
      const pair = container.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) break;
      if (i === path.length - 1 && part === 'key') return asNode(pair.key);
      // An absent value (`key:` with nothing after it) has no node of its own: point at the key.
      node = pair.value ?? pair.key;
    } else if (isSeq(container)) {
      const item: unknown = container.items[Number(segment)];
      if (item === undefined) break;
      node = item;
    } else {
      break;
    }
  }
  return asNode(node);
}

export function locate(document: YamlDocument, path: readonly string[], part: NodePart = 'value'): SourceRange | undefined {
  const node = findNode(document, path, part);
  return node ? nodeRange(document.lineCounter, node) : undefined;
}

function asNode(value: unknown): Node | undefined {
  return isScalar(value) || isMap(value) || isSeq(value) || isAlias(value) ? value : undefined;
}
