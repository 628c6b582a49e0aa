/**
 * The two modules of undici that dispatcher.ts loads on their own (see `createRoute`), typed by the
 * package's own declarations: the `Pool` class and the `request` API that the index adds to every
 * dispatcher.
 */
declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici';
  const PoolClass: typeof Pool;
  export default PoolClass;
}

declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';
  /** Sends through `this.dispatch`, as `Dispatcher.prototype.request` does. */
  function request(this: Pick<Dispatcher, 'dispatch'>, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  export default request;
}
