/**
 * What a plan can know of the manifests before checking them: the datastores they name, read from
 * the parsed YAML. For manifests that pass their checks these are exactly the refs the plan looks
 * up (each entry's `datastore`, each entry's and rule's `enrichment_datastore`); before the checks,
 * their count is a lower bound that holds whenever the plan goes on (manifests that fail stop it).
 * That is what lets a plan ask for the rest of a listing while the manifests are still being checked
 * (`FirstPages.ahead` in api/observe.ts). The YAML is untrusted here: anything not shaped like a
 * manifest counts for nothing.
 */
import type { YamlDocument } from '../source/positions.js';

export interface DeclaredRefs {
  /** Entries' `datastore` names. */
  readonly sourceNames: Set<string>;
  /** Ids, of sources and of link targets alike (the plan reads an id whatever its kind). */
  readonly ids: Set<number>;
  /** Entries' and rules' `enrichment_datastore` names. */
  readonly targetNames: Set<string>;
}

export function noDeclaredRefs(): DeclaredRefs {
  return { sourceNames: new Set(), ids: new Set(), targetNames: new Set() };
}

/** Adds what these documents name to `into`. */
export function addDeclaredRefs(documents: readonly YamlDocument[], into: DeclaredRefs): void {
  for (const document of documents) {
    const data = document.data;
    if (!isObject(data)) continue;
    for (const [key, list] of [['datastores', data.datastores], ['rules', data.rules]] as const) {
      if (!Array.isArray(list)) continue;
      for (let i = 0; i < list.length; i++) {
        const item: unknown = list[i];
        if (!isObject(item)) continue;
        if (key === 'datastores') add(item.datastore, into.sourceNames, into);
        add(item.enrichment_datastore, into.targetNames, into);
      }
    }
  }
}

/** A name into `names`, an id into the ids; anything else (null, a typo's value) is not a ref. */
function add(ref: unknown, names: Set<string>, refs: DeclaredRefs): void {
  if (typeof ref === 'string' && ref !== '') names.add(ref);
  else if (typeof ref === 'number' && Number.isSafeInteger(ref) && ref >= 1) refs.ids.add(ref);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
