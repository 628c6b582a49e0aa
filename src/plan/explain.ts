/**
 * `enrichctl explain`, pure: one datastore's desired values with every candidate and the winner, by
 * the same precedence as `rules.ts` (key by key: the entry's own value, then the rules that match,
 * then `defaults`: the entry's document's, then those of the documents of the matching rules). Rules
 * (or two rules' documents' defaults) that disagree are a conflict, as plan reports it. Display only.
 */
import { expandPrefixTemplate } from '../core/prefix.js';
import { SETTINGS, type SettingKey } from '../core/settings.js';
import type { DesiredDatastore, DesiredLink, DesiredRule, OriginKind, SourceLocation } from '../model/desired.js';
import type { Candidate, ExplainField, ExplainResult, FieldExplanation, FieldValue, LinkValue, Place } from '../model/explanation.js';
import type { Observation, ObservedDatastore } from '../model/observation.js';
import { linkKey, unmetCriteria } from './rules.js';

export interface ExplainInput {
  datastores: readonly DesiredDatastore[];
  rules: readonly DesiredRule[];
}

/** A value at one precedence level, before roles are given. */
type Offer = { from: OriginKind; location: SourceLocation; rule?: DesiredRule; value: FieldValue; key: string };

export const EXPLAIN_FIELDS: readonly ExplainField[] = ['enrichment_datastore', ...SETTINGS.map((s) => s.key)];

/**
 * The enrichment datastores' names the explanation must know to compare the links offered for `ref`
 * (two rules giving it, one by name and one by id, agree when they name one datastore): none when at
 * most one link is offered or none is by name. The caller reads them, then explains.
 */
export function linkNamesToCompare(desired: ExplainInput, observation: Observation, ref: string): string[] {
  const found = findDatastore(observation, ref);
  if (!found.ok) return [];
  const d = found.datastore;
  const entry = desired.datastores.find((e) => e.ref === d.id || e.ref === d.name);
  const offered = entry && entry.link.kind !== 'unmanaged'
    ? [entry.link]
    : desired.rules.filter((r) => r.link.kind !== 'unmanaged' && unmetCriteria(r, d).length === 0).map((r) => r.link);
  if (offered.length < 2) return [];
  return [...new Set(offered.flatMap((l) => (l.kind === 'ref' && typeof l.ref === 'string' ? [l.ref] : [])))];
}

/** `ref` as the user typed it (`--target` style): an id when some datastore has it, else a name. */
export function explainDatastore(desired: ExplainInput, observation: Observation, ref: string): ExplainResult {
  const found = findDatastore(observation, ref);
  if (!found.ok) return found;
  const d = found.datastore;
  const entries = desired.datastores.filter((e) => e.ref === d.id || e.ref === d.name);
  const matched: DesiredRule[] = [];
  const notMatching: Array<Place & { failed: Array<'name' | 'tag' | 'type'> }> = [];
  for (const r of desired.rules) {
    const failed = unmetCriteria(r, d);
    if (failed.length === 0) matched.push(r);
    else notMatching.push({ ...place(r.location), failed });
  }
  const datastore = { id: d.id, name: d.name };
  if (entries.length === 0 && matched.length === 0) {
    return { ok: false, refusal: { kind: 'not-declared', datastore, rules_not_matching: notMatching } };
  }
  const entry = entries[0];
  const fields = EXPLAIN_FIELDS.map((field) => explainField(field, levels(field, d, entry, matched, observation), d));
  return {
    ok: true,
    explanation: {
      datastore: { ...datastore, ...(d.details?.type !== undefined ? { type: d.details.type } : {}), ...(d.details?.tags ? { tags: [...d.details.tags] } : {}) },
      entries: entries.map((e) => place(e.location)),
      rules: matched.map((r) => place(r.location)),
      rules_not_matching: notMatching,
      fields,
    },
  };
}

function findDatastore(obs: Observation, ref: string): { ok: true; datastore: ObservedDatastore } | Extract<ExplainResult, { ok: false }> {
  const asId = /^[0-9]+$/.test(ref) ? Number(ref) : undefined;
  const byId = asId === undefined ? undefined : obs.datastores.get(asId);
  const byName = (obs.names.get(ref) ?? []).map((id) => obs.datastores.get(id)).filter((x): x is ObservedDatastore => x !== undefined);
  const candidates = byId ? [byId] : byName;
  const sources = candidates.filter((c) => !c.enrichment_only);
  if (sources.length === 1) return { ok: true, datastore: sources[0]! };
  if (sources.length > 1) return { ok: false, refusal: { kind: 'ambiguous', ref, ids: sources.map((s) => s.id).sort((a, b) => a - b) } };
  const enrichment = candidates[0];
  if (enrichment) return { ok: false, refusal: { kind: 'enrichment-only', datastore: { id: enrichment.id, name: enrichment.name } } };
  const denied = asId === undefined ? undefined : obs.denied.get(asId);
  if (denied !== undefined) return { ok: false, refusal: { kind: 'denied', ref: asId!, detail: denied } };
  return { ok: false, refusal: { kind: 'not-found', ref: asId ?? ref } };
}

/** The offers for one field, by precedence level: the entry, the rules, the entry's document's defaults, the rules' documents' defaults. */
function levels(field: ExplainField, d: ObservedDatastore, entry: DesiredDatastore | undefined, rules: readonly DesiredRule[], obs: Observation): Offer[][] {
  if (field === 'enrichment_datastore') {
    const link = (l: DesiredLink, from: OriginKind, rule?: DesiredRule): Offer[] =>
      l.kind === 'unmanaged' ? [] : [{ from, location: l.location, ...(rule ? { rule } : {}), value: linkValue(l, d, obs), key: linkKey(l, obs) }];
    return [entry ? link(entry.link, 'entry') : [], rules.flatMap((r) => link(r.link, 'rule', r)), [], []];
  }
  const key: SettingKey = field;
  const own = entry?.origins[key];
  const offer = (value: unknown, from: OriginKind, location: SourceLocation, rule?: DesiredRule): Offer[] =>
    typeof value === 'string' || typeof value === 'number' ? [{ from, location, ...(rule ? { rule } : {}), value, key: JSON.stringify(value) }] : [];
  const fromEntry = own?.from === 'entry' ? offer(entry!.settings[key], 'entry', own.location) : [];
  const fromRules = rules.flatMap((r) => {
    const origin = r.own.origins[key];
    const value = r.own.settings[key];
    if (!origin || value === undefined) return [];
    return offer(key === 'enrichment_prefix' && typeof value === 'string' ? expandPrefixTemplate(value, d) : value, 'rule', origin.location, r);
  });
  const fromEntryDefaults = own?.from === 'defaults' ? offer(entry!.settings[key], 'defaults', own.location) : [];
  // Rules of one document share its defaults, which may be the entry's document too: each document's once.
  const seen = new Set(fromEntryDefaults.map((o) => where(o.location)));
  const fromRuleDefaults = rules.flatMap((r) => {
    const origin = r.defaults.origins[key];
    if (!origin || seen.has(where(origin.location))) return [];
    seen.add(where(origin.location));
    return offer(r.defaults.settings[key], 'defaults', origin.location);
  });
  return [fromEntry, fromRules, fromEntryDefaults, fromRuleDefaults];
}

function where(location: SourceLocation): string {
  return `${location.file}:${location.start.line}:${location.start.column}`;
}

function explainField(field: ExplainField, byLevel: Offer[][], d: ObservedDatastore): FieldExplanation {
  const live = liveValue(field, d);
  const decided = byLevel.findIndex((offers) => offers.length > 0);
  const candidates: Candidate[] = [];
  let status: FieldExplanation['status'] = 'not-managed';
  let desired: FieldValue | undefined;
  byLevel.forEach((offers, level) => {
    const agree = offers.every((o) => o.key === offers[0]?.key);
    if (level === decided) {
      status = agree ? 'managed' : 'conflict';
      if (agree) desired = offers[0]!.value;
    }
    offers.forEach((o, i) => {
      const role = level !== decided ? 'overridden' : !agree ? 'conflicting' : i === 0 ? 'winner' : 'agrees';
      candidates.push({ from: o.from, ...place(o.location), ...(o.rule ? { rule_at: place(o.rule.location) } : {}), value: o.value, role });
    });
  });
  const own = field === 'enrichment_datastore' && typeof desired === 'object' && desired !== null && 'id' in desired && desired.id === d.id;
  const refused = own ? 'a datastore cannot be its own enrichment datastore' : undefined;
  return { field, status, ...(desired !== undefined ? { desired } : {}), ...(refused ? { refused } : {}), candidates, ...(live !== undefined ? { live } : {}) };
}

/** The link as written, with the other half of it when the observation shows which datastore it is. */
function linkValue(link: Exclude<DesiredLink, { kind: 'unmanaged' }>, d: ObservedDatastore, obs: Observation): LinkValue {
  if (link.kind === 'none') return null;
  const live = d.state?.enrich_datastore;
  if (typeof link.ref === 'number') {
    const name = live?.id === link.ref ? live.name : obs.datastores.get(link.ref)?.name;
    return name === undefined ? { id: link.ref } : { id: link.ref, name };
  }
  const ids = (obs.names.get(link.ref) ?? []).filter((id) => obs.datastores.get(id)?.enrichment_only === true);
  const id = live?.name === link.ref ? live.id : ids.length === 1 ? ids[0] : undefined;
  return id === undefined ? { name: link.ref } : { name: link.ref, id };
}

function liveValue(field: ExplainField, d: ObservedDatastore): FieldExplanation['live'] {
  if (!d.state) return undefined;
  if (field === 'enrichment_datastore') return d.state.enrich_datastore ? { id: d.state.enrich_datastore.id, name: d.state.enrich_datastore.name } : null;
  return d.state[field];
}

function place(location: SourceLocation): Place {
  return { file: location.file, line: location.start.line, column: location.start.column };
}
