/**
 * The route table: how each request enrichctl makes reaches the Qualytics API (method and path below
 * the base URL). The only place paths are written: the client sends by it, the renderers print by it,
 * and a saved plan's operations are checked against it. See the API reference (qualytics-api.md).
 */
import type { Operation } from './plan.js';

export type HttpMethod = 'GET' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  method: HttpMethod;
  /** Below the base URL, e.g. `/datastores/42/enrichment/100`. */
  path: string;
}

export const READS = {
  /** The listing, with its query (`page`, `size`, `enrichment_only`, `name`). */
  list: { method: 'GET', path: '/datastores' },
  datastore: (id: number): Route => ({ method: 'GET', path: `/datastores/${id}` }),
  me: { method: 'GET', path: '/users/me' },
} as const satisfies Record<string, Route | ((id: number) => Route)>;

/** The write that carries an operation on a datastore. */
export function operationRoute(datastoreId: number, op: Operation): Route {
  switch (op.type) {
    case 'link':
      return { method: 'PATCH', path: `/datastores/${datastoreId}/enrichment/${op.enrich_datastore.id}` };
    case 'update_settings':
      return { method: 'PUT', path: `/datastores/${datastoreId}` };
    case 'unlink':
      return { method: 'DELETE', path: `/datastores/${datastoreId}/enrichment` };
    default: {
      const unreachable: never = op;
      throw new Error(`unknown operation ${JSON.stringify(unreachable)}`);
    }
  }
}

/** `PATCH /datastores/42/enrichment/100`: how an operation reads in plans and reports. */
export function describeOperation(datastoreId: number, op: Operation): string {
  const route = operationRoute(datastoreId, op);
  return `${route.method} ${route.path}`;
}
