/**
 * The API's routing table: which operation a method and path reach, with FastAPI's 404/405
 * semantics (an unknown path is 404; a known path with another method is 405 with `Allow`).
 */
import {
  currentUser,
  getDatastore,
  health,
  linkEnrichment,
  status,
  unlinkEnrichment,
  updateSettings,
  type Endpoint,
} from './state.js';
import { listDatastores } from './listing.js';

type Route = { pattern: RegExp; methods: Readonly<Record<string, Endpoint>> };

const ID = '(?<datastore_id>[^/]+)';

const ROUTES: readonly Route[] = [
  { pattern: /^\/api\/health$/, methods: { GET: health } },
  { pattern: /^\/api\/status$/, methods: { GET: status } },
  { pattern: /^\/api\/users\/me$/, methods: { GET: currentUser } },
  { pattern: /^\/api\/datastores$/, methods: { GET: listDatastores } },
  { pattern: new RegExp(`^/api/datastores/${ID}$`), methods: { GET: getDatastore, PUT: updateSettings } },
  {
    pattern: new RegExp(`^/api/datastores/${ID}/enrichment/(?<enrich_store_id>[^/]+)$`),
    methods: { PATCH: linkEnrichment },
  },
  { pattern: new RegExp(`^/api/datastores/${ID}/enrichment$`), methods: { DELETE: unlinkEnrichment } },
];

export type RouteMatch =
  | { kind: 'found'; operation: Endpoint; params: Record<string, string> }
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed'; allow: string[] };

export function matchRoute(method: string, path: string): RouteMatch {
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    const operation = route.methods[method];
    if (!operation) return { kind: 'method-not-allowed', allow: Object.keys(route.methods) };
    const params: Record<string, string> = {};
    for (const [key, raw] of Object.entries(match.groups ?? {})) {
      params[key] = safeDecode(raw);
    }
    return { kind: 'found', operation, params };
  }
  return { kind: 'not-found' };
}

/** A malformed escape stays as written; the integer check then rejects it with a 422. */
function safeDecode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
