/**
 * The rules of one document, checked offline: what a schema cannot say about globs and prefix
 * templates, then the `DesiredRule` the planner expands against the live state.
 *
 * A glob is bad when it cannot mean what it seems to: `[`, `]`, `{`, `}` and `\` (shell globs give
 * them a meaning we do not: classes, alternation, escapes; a list of globs says the same), or an
 * invisible control character (no name a person types holds one). Empty globs are the schema's.
 * A prefix template may use `{name}` and `{id}` only; any other `{...}` or a lone brace is an error.
 */
import type { Severity } from '../core/diagnostics.js';
import { normalisePrefix, PREFIX_MAX_LENGTH, PREFIX_PLACEHOLDERS, PREFIX_TEMPLATE_TOKEN as TOKEN } from '../core/prefix.js';
import { SETTINGS, STRATEGIES_NEEDING_LINK, type SettingKey } from '../core/settings.js';
import { findNode, isEmptyNode, locate } from '../source/locate.js';
import type { YamlDocument } from '../source/positions.js';
import type { DeclaredRef, DesiredLink, DesiredRule, DesiredSettings, OriginatedSettings, RuleMatch, SettingOrigin, SourceLocation } from '../model/desired.js';
import type { ManifestRule } from './manifest-types.js';

export type Report = (severity: Severity, code: string, path: string[], message: string, hints?: string[]) => void;
export type LocationOf = (document: YamlDocument, path: string[]) => SourceLocation;

const PLACEHOLDERS = PREFIX_PLACEHOLDERS;
const GLOB_REFUSED = /[[\]{}\\]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function checkRules(
  document: YamlDocument,
  rules: ReadonlyArray<{ rule: ManifestRule; index: number }>,
  defaults: OriginatedSettings,
  report: Report,
  locationOf: LocationOf,
): DesiredRule[] {
  const out: DesiredRule[] = [];
  for (const { rule, index } of rules) {
    const at = ['rules', String(index)];
    let ok = true;
    const fail: Report = (severity, ...rest) => {
      if (severity === 'error') ok = false;
      report(severity, ...rest);
    };
    const names = listOf(rule.match.name);
    names.forEach((glob, i) => checkGlob(glob, typeof rule.match.name === 'string' ? [...at, 'match', 'name'] : [...at, 'match', 'name', String(i)], fail));
    if (rule.enrichment_prefix !== undefined) checkTemplate(rule.enrichment_prefix, [...at, 'enrichment_prefix'], fail);

    const where = (key: string): SourceLocation => locationOf(document, [...at, key]);
    const link = declaredLink(document, rule.enrichment_datastore, at, where, fail, 'rule');
    const own: OriginatedSettings = { settings: {}, origins: {} };
    for (const { key } of SETTINGS) {
      const value = rule[key];
      if (value === undefined) continue;
      (own.settings as Record<SettingKey, unknown>)[key] = value;
      own.origins[key] = { from: 'rule', location: where(key) } satisfies SettingOrigin;
    }
    const strategy = own.settings.enrichment_remediation_strategy;
    if (link.kind === 'none' && strategy !== undefined && STRATEGIES_NEEDING_LINK.includes(strategy)) {
      fail('error', 'strategy-needs-link', [...at, 'enrichment_remediation_strategy'],
        `enrichment_remediation_strategy "${strategy}" needs a linked enrichment datastore, but this rule's enrichment_datastore is null`,
        ['unlinking resets the strategy to "none": declare "none", or link an enrichment datastore']);
    }
    if (!ok) continue;
    const match: RuleMatch = {};
    if (names.length > 0) match.names = names;
    const tags = listOf(rule.match.tag);
    if (tags.length > 0) match.tags = tags;
    const types = listOf(rule.match.type);
    if (types.length > 0) match.types = types;
    const location: SourceLocation = { file: document.file, ...locate(document, [...at, 'match'], 'key') };
    out.push({ match, location, link, own, defaults });
  }
  return out;
}

function listOf(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : [...new Set(value)];
}

function checkGlob(glob: string, path: string[], report: Report): void {
  if (GLOB_REFUSED.test(glob)) {
    report('error', 'unsupported-glob', path, `name glob ${JSON.stringify(glob)} uses ${JSON.stringify(GLOB_REFUSED.exec(glob)![0])}: only * and ? are special in a glob, and [ ] { } \\ are refused`, [
      'to match several patterns, give a list: `name: ["Sales *", "Marketing *"]`',
    ]);
  } else if (CONTROL.test(glob)) {
    report('error', 'unsupported-glob', path, `name glob ${JSON.stringify(glob)} holds a control character, which no datastore name a person types holds`);
  }
}

function checkTemplate(template: string, path: string[], report: Report): void {
  let bad = false;
  for (const token of template.matchAll(TOKEN)) {
    const name = token[1];
    if (name === undefined) {
      bad = true;
      report('error', 'unknown-placeholder', path, `enrichment_prefix ${JSON.stringify(template)} has a lone ${JSON.stringify(token[0])}`, [
        `the placeholders are ${PLACEHOLDERS.map((p) => `{${p}}`).join(' and ')}`,
      ]);
    } else if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      bad = true;
      report('error', 'unknown-placeholder', path, `enrichment_prefix ${JSON.stringify(template)} uses the unknown placeholder {${name}}`, [
        `the placeholders are ${PLACEHOLDERS.map((p) => `{${p}}`).join(' and ')}`,
      ]);
    }
  }
  if (bad) return;
  // What the template says without its placeholders is a lower bound: the full check is at plan time.
  const fixed = normalisePrefix(template.replace(TOKEN, ' '));
  const placeholders = template.match(TOKEN)?.length ?? 0;
  if (placeholders === 0 && fixed === '') {
    report('error', 'invalid-prefix', path, 'enrichment_prefix must contain at least one letter or digit');
  } else if (fixed.length > PREFIX_MAX_LENGTH) {
    report('error', 'invalid-prefix', path, `enrichment_prefix must be at most ${PREFIX_MAX_LENGTH} characters once normalised, and ${JSON.stringify(template)} has ${fixed.length} without its placeholders`);
  } else if (placeholders === 0 && fixed !== template) {
    report('note', 'prefix-normalised', path, `enrichment_prefix ${JSON.stringify(template)} will be stored as ${JSON.stringify(fixed)}`);
  }
}

/** An entry's or a rule's `enrichment_datastore` as a declared link; a bare `enrichment_datastore:` is an error. */
export function declaredLink(
  document: YamlDocument, target: DeclaredRef | null | undefined, at: string[], where: (key: string) => SourceLocation, report: Report, from: 'entry' | 'rule',
): DesiredLink {
  if (target === undefined) return { kind: 'unmanaged' };
  if (target === null) {
    // `enrichment_datastore:` with nothing after it is YAML null too; an unlink should never be an accident.
    const path = [...at, 'enrichment_datastore'];
    if (isEmptyNode(document, findNode(document, path))) {
      report('error', 'implicit-null', path, 'enrichment_datastore has no value', [
        'write `enrichment_datastore: null` to declare no link, or remove the key to leave the link unmanaged',
      ]);
    }
    return { kind: 'none', location: where('enrichment_datastore'), from };
  }
  return { kind: 'ref', ref: target, location: where('enrichment_datastore'), from };
}

/** The defaults of a document with their origins (prefix normalised, as entries receive them). */
export function originatedDefaults(defaults: DesiredSettings, where: (key: string) => SourceLocation): OriginatedSettings {
  const out: OriginatedSettings = { settings: {}, origins: {} };
  for (const { key } of SETTINGS) {
    const value = defaults[key];
    if (value === undefined) continue;
    (out.settings as Record<SettingKey, unknown>)[key] = key === 'enrichment_prefix' && typeof value === 'string' ? normalisePrefix(value) : value;
    out.origins[key] = { from: 'defaults', location: where(key) };
  }
  return out;
}
