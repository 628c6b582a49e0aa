/**
 * Enrichment prefix normalisation, shared by the client, the planner and the emulator so that all
 * three agree on what the server stores.
 *
 * Qualytics documents "snake_case with a single leading underscore" (`Analytics Bronze` ->
 * `_analytics_bronze`) but not the rule for punctuation, digits or non-ASCII. enrichctl uses, as
 * the API reference fixes: lowercase; every run of characters other than `a-z0-9` becomes one `_`;
 * no leading or trailing `_`; then one `_` in front. A value with no letter or digit normalises to
 * the empty string (not to a lone `_`), which callers reject.
 */
export const PREFIX_MAX_LENGTH = 60;

/** Already normal: `_`, then runs of a-z0-9 joined by single underscores (most manifests; skips three passes). */
const NORMAL = /^_[a-z0-9]+(?:_[a-z0-9]+)*$/;

export function normalisePrefix(raw: string): string {
  if (NORMAL.test(raw)) return raw;
  const body = raw
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return body === '' ? '' : `_${body}`;
}

/** The placeholders a rule's prefix template may use. */
export const PREFIX_PLACEHOLDERS = ['name', 'id'] as const;

/** `{name}`, `{id}`, or anything else between braces (refused offline), and lone braces. */
export const PREFIX_TEMPLATE_TOKEN = /\{([^{}]*)\}|[{}]/g;

/** A rule's prefix template for one datastore: placeholders substituted, then normalised. */
export function expandPrefixTemplate(template: string, datastore: { id: number; name: string }): string {
  return normalisePrefix(template.replace(PREFIX_TEMPLATE_TOKEN, (token: string, name: string | undefined) => (name === 'name' ? datastore.name : name === 'id' ? String(datastore.id) : token)));
}
