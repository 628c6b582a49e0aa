/**
 * Rule expansion, pure: the manifests' entries and rules + the observation -> one declaration per
 * datastore, each value with its origin. A rule applies to every observed source datastore it matches
 * (never an enrichment-only one).
 *
 * Precedence, key by key (the link is a key): an entry's own value, then the rules that match, then
 * `defaults`: the entry's document's, then those of the documents of the matching rules (a document's
 * defaults fill its entries and its rules; an entry that overrides one key of a rule's datastore
 * leaves it the rest of what the rule's document gives). Two rules, or two rules' documents'
 * defaults, that give one key of one datastore different values are an error naming both; equal
 * values are fine.
 *
 * Cost: every glob list is compiled once into one RegExp; rules are indexed by type and by tag, so a
 * datastore is tested only against the rules that can match it, once, and each key is merged once.
 */
import type { Diagnostic } from '../core/diagnostics.js';
import { expandPrefixTemplate } from '../core/prefix.js';
import { SETTINGS, settingProblem, type SettingKey } from '../core/settings.js';
import type { DesiredDatastore, DesiredLink, DesiredRule, DesiredSettings, SettingOrigin, SourceLocation } from '../model/desired.js';
import { describeRef } from '../model/describe.js';
import { onlyOfKind, type Observation, type ObservedDatastore } from '../model/observation.js';

export interface Expansion {
  /** The entries (completed by the rules that match them) then, by id, the datastores only rules declare. */
  datastores: DesiredDatastore[];
  /** Conflicts and bad prefixes (errors), rules that match nothing (warnings). */
  diagnostics: Diagnostic[];
  /** The declarations two rules disagree on (each an error above): not planned, so no second error follows from the key left unset. */
  conflicted?: ReadonlySet<DesiredDatastore>;
}

interface CompiledRule {
  rule: DesiredRule;
  names?: RegExp;
  tags?: ReadonlySet<string>;
  types?: ReadonlySet<string>;
}

/** `*` any run of characters, `?` one, anything else itself; the whole name. */
export function globToRegExp(globs: readonly string[]): RegExp {
  const one = (g: string): string => [...g].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^(?:${globs.map(one).join('|')})$`, 'su');
}

function compile(rule: DesiredRule): CompiledRule {
  const { names, tags, types } = rule.match;
  return {
    rule,
    ...(names ? { names: globToRegExp(names) } : {}),
    ...(tags ? { tags: new Set(tags) } : {}),
    ...(types ? { types: new Set(types) } : {}),
  };
}

function matches(c: CompiledRule, d: ObservedDatastore): boolean {
  if (c.types && !(d.details?.type !== undefined && c.types.has(d.details.type))) return false;
  if (c.tags && !(d.details?.tags ?? []).some((t) => c.tags!.has(t))) return false;
  return !c.names || c.names.test(d.name);
}

/** The criteria of `rule` that `d` fails (empty: the rule matches it); for `explain`. */
export function unmetCriteria(rule: DesiredRule, d: ObservedDatastore): Array<'name' | 'tag' | 'type'> {
  const c = compile(rule);
  const failed: Array<'name' | 'tag' | 'type'> = [];
  if (c.names && !c.names.test(d.name)) failed.push('name');
  if (c.tags && !(d.details?.tags ?? []).some((t) => c.tags!.has(t))) failed.push('tag');
  if (c.types && !(d.details?.type !== undefined && c.types.has(d.details.type))) failed.push('type');
  return failed;
}

/** Rules by the criteria an observed datastore is looked up with: a datastore is tested against its candidates only. */
class RuleIndex {
  readonly #byType = new Map<string, CompiledRule[]>();
  readonly #byTag = new Map<string, CompiledRule[]>();
  readonly #rest: CompiledRule[] = [];
  readonly #order = new Map<CompiledRule, number>();

  constructor(rules: readonly CompiledRule[]) {
    rules.forEach((c, i) => {
      this.#order.set(c, i);
      // Indexed by the criterion that is always checked: types, else tags, else tested on every datastore.
      if (c.types) for (const t of c.types) push(this.#byType, t, c);
      else if (c.tags) for (const t of c.tags) push(this.#byTag, t, c);
      else this.#rest.push(c);
    });
  }

  /** The rules that match, in manifest order. */
  matching(d: ObservedDatastore): CompiledRule[] {
    const candidates = new Set<CompiledRule>(this.#rest);
    if (d.details?.type !== undefined) for (const c of this.#byType.get(d.details.type) ?? []) candidates.add(c);
    for (const tag of d.details?.tags ?? []) for (const c of this.#byTag.get(tag) ?? []) candidates.add(c);
    return [...candidates].filter((c) => matches(c, d)).sort((a, b) => this.#order.get(a)! - this.#order.get(b)!);
  }
}

export function expandRules(entries: readonly DesiredDatastore[], rules: readonly DesiredRule[], observed: Observation): Expansion {
  if (rules.length === 0) return { datastores: [...entries], diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const index = new RuleIndex(rules.map(compile));
  const entryOf = entriesById(entries, observed);
  const used = new Set<DesiredRule>();
  const conflicted = new Set<DesiredDatastore>();
  const merged = new Map<DesiredDatastore, DesiredDatastore>();
  const ruleOnly: DesiredDatastore[] = [];
  const sources = [...observed.datastores.values()].filter((d) => !d.enrichment_only).sort((a, b) => a.id - b.id);
  for (const d of sources) {
    const found = index.matching(d).map((c) => c.rule);
    if (found.length === 0) continue;
    for (const r of found) used.add(r);
    const entry = entryOf.get(d.id);
    const reported = diagnostics.length;
    const declared = declare(d, entry, found, observed, diagnostics);
    for (let i = reported; i < diagnostics.length; i++) if (diagnostics[i]!.code === 'rule-conflict') conflicted.add(declared);
    if (entry) merged.set(entry, declared);
    else ruleOnly.push(declared);
  }
  for (const r of rules) {
    if (!used.has(r)) diagnostics.push(located('warning', r.location, 'rule-matches-nothing', `this rule matches no source datastore (${describeMatch(r)})`));
  }
  return { datastores: [...entries.map((e) => merged.get(e) ?? e), ...ruleOnly], diagnostics, ...(conflicted.size > 0 ? { conflicted } : {}) };
}

/** The ids of the observed source datastores some rule matches: those whose live state the plan needs. */
export function matchedSources(rules: readonly DesiredRule[], observed: Observation): number[] {
  if (rules.length === 0) return [];
  const index = new RuleIndex(rules.map(compile));
  return [...observed.datastores.values()].filter((d) => !d.enrichment_only && index.matching(d).length > 0).map((d) => d.id);
}

/** Entries that resolve to exactly one observed source datastore, by id (the first entry of an id: the diff reports duplicates). */
function entriesById(entries: readonly DesiredDatastore[], observed: Observation): Map<number, DesiredDatastore> {
  const out = new Map<number, DesiredDatastore>();
  for (const e of entries) {
    const ids = typeof e.ref === 'number' ? [e.ref] : (observed.names.get(e.ref) ?? []).filter((id) => observed.datastores.get(id)?.enrichment_only === false);
    if (ids.length === 1 && !out.has(ids[0]!)) out.set(ids[0]!, e);
  }
  return out;
}

type Candidate<V> = { value: V; origin: SettingOrigin; rule: DesiredRule };

/** The one declaration of a datastore matched by `found` (and perhaps declared by `entry`). */
function declare(d: ObservedDatastore, entry: DesiredDatastore | undefined, found: readonly DesiredRule[], observed: Observation, diagnostics: Diagnostic[]): DesiredDatastore {
  const ref = { id: d.id, name: d.name };
  const settings: DesiredSettings = { ...(entry?.settings ?? {}) };
  const origins: DesiredDatastore['origins'] = { ...(entry?.origins ?? {}) };
  for (const { key } of SETTINGS) {
    if (entry?.origins[key]?.from === 'entry') continue;
    const fromRules = agree(ref, key, found.flatMap((r) => {
      const value = r.own.settings[key];
      const origin = r.own.origins[key];
      if (value === undefined || !origin) return [];
      return [{ value: key === 'enrichment_prefix' && typeof value === 'string' ? expandPrefixTemplate(value, ref) : value, origin, rule: r }];
    }), diagnostics);
    // An entry's settings already hold its document's defaults: the rules' documents' come below them.
    const fromDefaults = fromRules || entry?.origins[key] ? undefined : agree(ref, key, found.flatMap((r) => {
      const value = r.defaults.settings[key];
      const origin = r.defaults.origins[key];
      return value === undefined || !origin ? [] : [{ value, origin, rule: r }];
    }), diagnostics);
    const chosen = fromRules ?? fromDefaults;
    if (!chosen) continue;
    (settings as Record<SettingKey, unknown>)[key] = chosen.value;
    origins[key] = chosen.origin;
    if (key === 'enrichment_prefix' && chosen.origin.from === 'rule') checkPrefix(ref, chosen, diagnostics);
  }
  let link: DesiredLink = entry?.link ?? { kind: 'unmanaged' };
  if (link.kind === 'unmanaged') {
    const linked = agree(ref, 'enrichment_datastore', found.flatMap((r) => (r.link.kind === 'unmanaged' ? [] : [{ value: r.link, origin: { from: 'rule', location: r.link.location } satisfies SettingOrigin, rule: r }])), diagnostics,
      (link) => linkKey(link, observed));
    if (linked) link = linked.value;
  }
  return { ref: entry?.ref ?? d.id, location: entry?.location ?? found[0]!.location, link, settings, origins };
}

/** The value the candidates agree on (the first one's origin), or undefined after an error when they do not. */
function agree<V>(
  ref: { id: number; name: string }, key: string, candidates: ReadonlyArray<Candidate<V>>, diagnostics: Diagnostic[], keyOf: (value: V) => string = JSON.stringify,
): Candidate<V> | undefined {
  const [first, ...rest] = candidates;
  if (!first) return undefined;
  const other = rest.find((c) => keyOf(c.value) !== keyOf(first.value));
  if (!other) return first;
  const what = first.origin.from === 'defaults' ? 'the defaults of the documents of two rules that match it' : 'two rules that match it';
  diagnostics.push(located('error', other.origin.location, 'rule-conflict',
    `datastore ${describeRef(ref)}: ${what} set ${key} differently: ${show(first.value)} at ${at(first.origin.from === 'defaults' ? first.origin.location : first.rule.location)} and ${show(other.value)} at ${at(other.origin.from === 'defaults' ? other.origin.location : other.rule.location)}`,
    ['give the datastore its own entry with this key (an entry wins over rules), or narrow one rule\'s match']));
  return undefined;
}

function checkPrefix(ref: { id: number; name: string }, chosen: Candidate<unknown>, diagnostics: Diagnostic[]): void {
  const spec = SETTINGS.find((s) => s.key === 'enrichment_prefix')!;
  const problem = settingProblem(spec, chosen.value);
  if (problem) {
    diagnostics.push(located('error', chosen.origin.location, 'invalid-prefix', `for datastore ${describeRef(ref)}, the rule's prefix template gives ${JSON.stringify(chosen.value)}: ${problem}`));
  }
}

/**
 * A link as the datastore it names, to compare two rules' (here and in explain.ts): the same
 * enrichment datastore by name in one rule and by id in another agree. A name that resolves to no
 * one datastore of its kind is compared as written (the planner reports it).
 */
export function linkKey(link: DesiredLink, observed: Observation): string {
  if (link.kind !== 'ref') return link.kind;
  const id = typeof link.ref === 'number' ? link.ref : onlyOfKind(observed, link.ref, true);
  return id > 0 ? `id:${id}` : `name:${String(link.ref)}`;
}

function show(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'kind' in value) {
    const link = value as DesiredLink;
    return link.kind === 'ref' ? JSON.stringify(link.ref) : 'null';
  }
  return JSON.stringify(value);
}

function describeMatch(r: DesiredRule): string {
  const parts: string[] = [];
  if (r.match.names) parts.push(`name ${r.match.names.map((n) => JSON.stringify(n)).join(' or ')}`);
  if (r.match.tags) parts.push(`tag ${r.match.tags.join(' or ')}`);
  if (r.match.types) parts.push(`type ${r.match.types.join(' or ')}`);
  return parts.join(', ');
}

function at(location: SourceLocation): string {
  return `${location.file}:${location.start.line}`;
}

function located(severity: Diagnostic['severity'], location: SourceLocation, code: string, message: string, hints?: string[]): Diagnostic {
  return { severity, file: location.file, start: location.start, end: location.end, message, code, ...(hints ? { hints } : {}) };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
