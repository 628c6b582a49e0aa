/**
 * From a JSON pointer into the plain data (what ajv reports) back to the YAML node it came from.
 * Aliases are followed when descending, but a value written as `*alias` is pointed at where the
 * alias is written, which is where the user looks.
 */
import type { SourceRange, YamlDocument } from './positions.js';
import { NodeKind } from './yaml-index.js';

/** `/datastores/3/enrichment_prefix` -> `['datastores', '3', 'enrichment_prefix']`. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export type NodePart = 'key' | 'value';

/** The node at `path` (its key or its value); the deepest node reached when the path does not exist. */
export function findNode(document: YamlDocument, path: readonly string[], part: NodePart = 'value'): number {
  const nodes = document.nodes;
  let node = document.root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] ?? '';
    if (i === path.length - 1 && part === 'key') {
      const container = containerOf(document, node);
      const key = container !== -1 && nodes.kind(container) === NodeKind.Mapping ? nodes.findKey(container, segment) : -1;
      return key === -1 ? node : key;
    }
    const child = childNode(document, node, segment);
    if (child === node) break;
    node = child;
  }
  return node;
}

/** `findNode` one step down from `node` (a key of a mapping, a position in a sequence), without a path. */
export function childNode(document: YamlDocument, node: number, segment: string): number {
  const nodes = document.nodes;
  const container = containerOf(document, node);
  const kind = container === -1 ? 0 : nodes.kind(container);
  if (kind === NodeKind.Mapping) {
    const key = nodes.findKey(container, segment);
    return key === -1 ? node : (nodes.nexts[key] ?? key);
  }
  if (kind === NodeKind.Sequence) {
    const item = nodes.item(container, Number(segment));
    return item === -1 ? node : item;
  }
  return node;
}

/** The node itself, or the one an alias names (-1: an alias whose anchor is unknown). */
function containerOf(document: YamlDocument, node: number): number {
  return document.nodes.kind(node) === NodeKind.Alias ? (document.nodes.aliasTargets.get(node) ?? -1) : node;
}

export function locate(document: YamlDocument, path: readonly string[], part: NodePart = 'value'): SourceRange {
  return document.nodes.range(findNode(document, path, part));
}

/** `key:` with nothing after it (YAML null, written by saying nothing). */
export function isEmptyNode(document: YamlDocument, node: number): boolean {
  return document.nodes.kind(node) === NodeKind.Empty;
}
