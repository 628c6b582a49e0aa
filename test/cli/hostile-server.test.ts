/**
 * plan and apply against a server that misbehaves (issue #10): page counts it cannot have, pages
 * larger than asked, a body of tens of megabytes, answers of the wrong shape, pages and filters it
 * ignores, names made to take over a terminal. Each refusal is one message naming the request and
 * the field, exit 1, and the request log proves nothing was written.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { fullDatastore, pageOf, startHostile, wellBehaved, type Answer, type HostileServer, type Request } from '../helpers/hostile-server.js';
import { manifest, run, workspace, type RunResult } from '../helpers/cli.js';

const TOKEN = 'hostile-test-token-5e1d';
const ORDERS = fullDatastore(1, 'Orders');
const WAREHOUSE = { ...fullDatastore(100, 'Warehouse Enrichment'), enrichment_only: true };
const WORLD = [ORDERS, WAREHOUSE];
const MANIFEST = manifest('  - datastore: Orders\n    enrichment_datastore: Warehouse Enrichment\n    high_count_rollup_threshold: 20\n');
const SOURCES_PAGE_1 = 'page=1&size=100&enrichment_only=false';

/**
 * A server that applies MANIFEST's two writes to its own copy of Orders (the link, then the
 * threshold), answering the PATCH with `linked` and the PUT with `updated(orders)`.
 */
function applyingOrders(linked: Answer, updated: (orders: Record<string, unknown>) => Answer): (r: Request) => Answer {
  const orders: Record<string, unknown> = { ...ORDERS };
  return wellBehaved([orders, WAREHOUSE], (q) => {
    if (q.method === 'PATCH') {
      orders.enrich_datastore = { id: 100, name: 'Warehouse Enrichment' };
      return linked;
    }
    if (q.method === 'PUT') {
      orders.high_count_rollup_threshold = 20;
      return updated(orders);
    }
    return undefined;
  });
}

let server: HostileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function runAgainst(handler: (r: Request) => Answer, argv: string[], text = MANIFEST): Promise<RunResult> {
  server = await startHostile(handler);
  const dir = await workspace({ 'm.yaml': text });
  return run([...argv, 'm.yaml', '--no-color'], { cwd: dir, env: { QUALYTICS_URL: server.url, QUALYTICS_TOKEN: TOKEN } });
}

/** The first page of the source listing answered with `json` (or that raw text); everything else as a correct server would. */
function sourcesPage1(json: unknown): (r: Request) => Answer {
  return sourcesPage1Answer({ json });
}

function sourcesPage1Raw(raw: string): (r: Request) => Answer {
  return sourcesPage1Answer({ raw });
}

function sourcesPage1Answer(answer: Answer): (r: Request) => Answer {
  return wellBehaved(WORLD, (r) => (r.path === '/api/datastores' && r.params.get('enrichment_only') === 'false' && r.params.get('page') === '1' ? answer : undefined));
}

const COMMANDS: string[][] = [['plan'], ['apply', '--auto-approve']];

/** One error on stderr, exit 1, no internal error, no write sent. */
function expectRefused(r: RunResult, message: string): void {
  expect(r.stderr).toContain(`error: ${message}\n`);
  expect(r.stderr.match(/^error:/gm)).toHaveLength(1);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code).toBe(1);
  expect(server!.writes()).toStrictEqual([]);
}

describe('page counts are trusted only as far as total and size allow', () => {
  for (const argv of COMMANDS) {
    it(`${argv[0]}: a billion pages for 5 datastores is one error, before any further request`, async () => {
      const r = await runAgainst(sourcesPage1({ items: [ORDERS], total: 5, page: 1, size: 100, pages: 1_000_000_000 }), argv);
      expectRefused(r, `GET /datastores?${SOURCES_PAGE_1}: the server claims 1000000000 pages of 100 for 5 datastores; a listing has ceil(total / size) = 1`);
      expect(server!.requests.filter((q) => q.query.includes('page=2'))).toStrictEqual([]);
    });
  }

  it('a consistent count beyond 10,000 pages is refused too', async () => {
    const r = await runAgainst(sourcesPage1({ items: [ORDERS], total: 100_000_000, page: 1, size: 100, pages: 1_000_000 }), ['plan']);
    expectRefused(r, `GET /datastores?${SOURCES_PAGE_1}: the server claims 1000000 pages of 100 for 100000000 datastores; enrichctl reads at most 10000 pages (1000000 datastores)`);
  });

  it('fewer pages than total needs (datastores would go unseen) is refused', async () => {
    const r = await runAgainst(sourcesPage1({ items: [ORDERS], total: 250, page: 1, size: 100, pages: 1 }), ['plan']);
    expectRefused(r, `GET /datastores?${SOURCES_PAGE_1}: the server claims 1 page of 100 for 250 datastores; a listing has ceil(total / size) = 3`);
  });

  it('a page holding more items than its size is a shape error', async () => {
    const r = await runAgainst(sourcesPage1({ items: [ORDERS, fullDatastore(2, 'Other')], total: 2, page: 1, size: 1, pages: 2 }), ['plan']);
    expectRefused(r, `GET /datastores?${SOURCES_PAGE_1}: the page holds 2 items, more than its size 1`);
  });

  it('a size larger than asked is refused', async () => {
    const r = await runAgainst(sourcesPage1({ items: [ORDERS], total: 1, page: 1, size: 1000, pages: 1 }), ['plan']);
    expectRefused(r, `GET /datastores?${SOURCES_PAGE_1}: size is 1000, expected 1 to 100 as requested`);
  });
});

describe('a body over 32 MiB', () => {
  it('is refused while streaming, naming the request, and never asked again', async () => {
    let sentMiB = 0;
    const huge = (res: ServerResponse): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.on('error', () => undefined);
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      const pump = (): void => {
        while (sentMiB < 40 && !res.destroyed) {
          sentMiB++;
          if (!res.write(chunk)) { res.once('drain', pump); return; }
        }
        if (!res.destroyed) res.end(JSON.stringify(pageOf([ORDERS], 1, 100)));
      };
      pump();
    };
    const r = await runAgainst(wellBehaved(WORLD, (q) => (q.path === '/api/datastores' && q.params.get('enrichment_only') === 'false' ? { stream: huge } : undefined)), ['apply', '--auto-approve']);
    expectRefused(r, `GET /datastores?${SOURCES_PAGE_1}: the answer is larger than 32 MiB; enrichctl refuses answers that large (is the URL that of a Qualytics API?)`);
    expect(server!.requests.filter((q) => q.query === SOURCES_PAGE_1)).toHaveLength(1);
  });
});

describe('answers of the wrong shape are one error naming the request and the field, and nothing is written', () => {
  const abbreviated = { id: 1, name: 'Orders', type: 'postgresql' };
  const CASES: Array<{ name: string; handler: (r: Request) => Answer; message: string }> = [
    { name: 'items not an array', handler: sourcesPage1({ items: { 0: ORDERS }, total: 1, page: 1, size: 100, pages: 1 }),
      message: `GET /datastores?${SOURCES_PAGE_1}: items is {"0":{"id":1,"name":"Orders","store_type":"jdbc","type":"pos..., expected an array` },
    { name: 'an id that is a string, on page 2', handler: idOnPage2(),
      message: 'GET /datastores?page=2&size=100&enrichment_only=false: items[3].id is "x", expected an integer' },
    { name: 'enrich_datastore a bare id (single GET)', handler: wellBehaved(WORLD, (r) => (r.path === '/api/datastores' && r.params.get('enrichment_only') === 'false'
      ? { json: pageOf([abbreviated], 1, 100) }
      : r.path === '/api/datastores/1' ? { json: fullDatastore(1, 'Orders', { enrich_datastore: 7 }) } : undefined)),
    message: 'GET /datastores/1: enrich_datastore is 7, expected an object or null' },
    { name: 'enrich_datastore with a string id', handler: sourcesPage1(pageOf([fullDatastore(1, 'Orders', { enrich_datastore: { id: '100', name: 'Warehouse Enrichment' } })], 1, 100)),
      message: `GET /datastores?${SOURCES_PAGE_1}: items[0].enrich_datastore.id is "100", expected an integer` },
    { name: 'a setting of the wrong type', handler: sourcesPage1(pageOf([fullDatastore(1, 'Orders', { high_count_rollup_threshold: '10' })], 1, 100)),
      message: `GET /datastores?${SOURCES_PAGE_1}: items[0].high_count_rollup_threshold is "10", expected an integer` },
    { name: 'a strategy out of its enum', handler: sourcesPage1(pageOf([fullDatastore(1, 'Orders', { enrichment_remediation_strategy: 'sideways' })], 1, 100)),
      message: `GET /datastores?${SOURCES_PAGE_1}: items[0].enrichment_remediation_strategy is "sideways", expected one of "none", "append", "overwrite"` },
    { name: 'a name that is not a string', handler: sourcesPage1(pageOf([{ ...ORDERS, name: 42 }], 1, 100)),
      message: `GET /datastores?${SOURCES_PAGE_1}: items[0].name is 42, expected a string` },
    { name: 'enrichment_only not a boolean', handler: sourcesPage1(pageOf([{ ...ORDERS, enrichment_only: 'no' }], 1, 100)),
      message: `GET /datastores?${SOURCES_PAGE_1}: items[0].enrichment_only is "no", expected true or false` },
    { name: 'a long hostile value, quoted short and escaped', handler: sourcesPage1(pageOf([{ ...ORDERS, id: `\u001b[2J${'x'.repeat(5000)}` }], 1, 100)),
      message: `GET /datastores?${SOURCES_PAGE_1}: items[0].id is "\\u001b[2J${'x'.repeat(50)}..., expected an integer` },
  ];
  for (const c of CASES) {
    for (const argv of COMMANDS) {
      it(`${argv[0]}: ${c.name}`, async () => {
        const r = await runAgainst(c.handler, argv);
        expectRefused(r, c.message);
        expect(r.stdout + r.stderr).not.toContain('\u001b');
      });
    }
  }

  it('apply: a write answered 2xx with an unusable body is done but not converged, with the shape message', async () => {
    const r = await runAgainst(wellBehaved(WORLD, (q) => (q.method === 'PUT' ? { json: { id: 1 } } : undefined)), ['apply', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('done     PUT /datastores/1');
    expect(r.stdout).toContain("not converged: the server's answer could not be used to confirm the result: PUT /datastores/1: name is missing, expected a string");
    expect(r.stdout).toContain('Apply finished with errors: 0 applied, 1 failed, 0 skipped.');
    expect(r.stderr).not.toContain('internal error');
  });

  it('apply: writes answered 2xx without the datastore (an empty 200, a 204) are read back: applied, and said once', async () => {
    // This server applies the writes it answers without a body: the datastore read back shows them.
    const r = await runAgainst(applyingOrders({ status: 200, raw: '' }, () => ({ status: 204, raw: '' })), ['apply', '--auto-approve']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Apply complete: 1 applied, 0 failed, 0 skipped.');
    expect(r.stderr.match(/^Note: /gm)).toHaveLength(1);
    expect(r.stderr).toContain('Note: PATCH /datastores/1/enrichment/100 answered 200 with an empty answer, not the datastore: the write was accepted, and each such write is confirmed by reading the datastore back\n');
    expect(server!.requests.map((q) => `${q.method} ${q.path}`).slice(-3)).toStrictEqual(['PATCH /api/datastores/1/enrichment/100', 'PUT /api/datastores/1', 'GET /api/datastores/1']);
  });

  it('apply: a write answered 2xx with a page holding terminal controls: the Note shows them escaped', async () => {
    const r = await runAgainst(applyingOrders({ status: 202, raw: 'accepted \u001b[2J\u009b31m queued' }, (orders) => ({ json: orders })), ['apply', '--auto-approve']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Note: PATCH /datastores/1/enrichment/100 answered 202 with accepted \\u001b[2J\\u009b31m queued, not the datastore');
    expect(r.stderr).not.toMatch(/[\u001b\u009b]/);
  });

  it('apply: a write answered 2xx about another datastore is not reported applied', async () => {
    const other = fullDatastore(999, 'Other');
    const r = await runAgainst(wellBehaved(WORLD, (q) => (q.method === 'PUT' ? { json: other } : undefined)), ['apply', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("not converged: the server's answer could not be used to confirm the result: PUT /datastores/1: id is 999, expected 1: the answer is about another datastore than the one asked for");
    expect(r.stdout).toContain('Apply finished with errors: 0 applied, 1 failed, 0 skipped.');
  });

  // Escapes in an answer make enrichctl check its parsed strings for the token: what cannot be checked, or redacted, is not used.
  it.each([
    ['nested 100,000 deep, with an escape', `{"items":[],"total":0,"page":1,"size":100,"pages":0,"x":${'['.repeat(100_000)}"\\\\"${']'.repeat(100_000)}}`],
    ['holding the token in a key, spelt with an escape', `{"items":[],"total":0,"page":1,"size":100,"pages":0,"x":{"${TOKEN.replace('h', '\\u0068')}":1}}`],
  ])('plan: an answer %s is refused as unusable, not an internal error', async (_name, raw) => {
    const r = await runAgainst(sourcesPage1Raw(raw), ['plan']);
    expectRefused(r, `GET /datastores?${SOURCES_PAGE_1}: it holds the API token where it cannot be redacted, or is nested too deeply to be checked for it`);
    expect(r.stderr).not.toContain(TOKEN);
  });

  it('a /users/me of the wrong shape only loses the unlink warning', async () => {
    const linked = fullDatastore(1, 'Orders', { enrich_datastore: { id: 100, name: 'Warehouse Enrichment' } });
    const r = await runAgainst(wellBehaved([linked, WAREHOUSE], (q) => (q.path === '/api/users/me' ? { json: { name: ['x'], role: 'Member' } } : undefined)),
      ['plan'], manifest('  - datastore: Orders\n    enrichment_datastore: null\n'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Plan: 1 datastore to change (1 unlink)');
    expect(r.stderr).not.toContain('unlinking needs the Admin role');
  });
});

describe('a listing whose pages fail in their own time', () => {
  // 250 sources: pages 2 and 3 left; page 2 never answers, page 3 is refused at once.
  const three = [ORDERS, ...Array.from({ length: 249 }, (_, i) => fullDatastore(1000 + i, `ds ${1000 + i}`))];
  const refusedBehindAHang = wellBehaved([...three, WAREHOUSE], (r) => {
    if (r.path !== '/api/datastores' || r.params.get('enrichment_only') !== 'false') return undefined;
    if (r.params.get('page') === '2') return { stream: () => undefined };
    return r.params.get('page') === '3' ? { status: 403, json: { detail: 'page 3 is not yours' } } : undefined;
  });

  for (const argv of COMMANDS) {
    it(`${argv[0]}: fails on the first page refused, at once: not behind a page that never answers, nor waiting for it to close`, async () => {
      const r = await runAgainst(refusedBehindAHang, [...argv, '--verbose'], manifest('  - datastore: Orders\n  - datastore: ds 1000\n  - datastore: ds 1249\n'));
      expectRefused(r, 'GET /datastores answered 403: page 3 is not yours');
      expect(r.stderr).not.toContain('no answer within');
      // What was still in flight is dropped with the connections, not tried again.
      expect(r.stderr).not.toContain('retrying');
    });
  }
});

/** 150 source datastores, Orders among the first; page 2's fourth item has the id "x". */
function idOnPage2(): (r: Request) => Answer {
  const many = [ORDERS, ...Array.from({ length: 149 }, (_, i) => fullDatastore(1000 + i, `ds ${1000 + i}`))];
  return wellBehaved([...many, WAREHOUSE], (r) => {
    if (r.path !== '/api/datastores' || r.params.get('enrichment_only') !== 'false' || r.params.get('page') !== '2') return undefined;
    const page = pageOf(many, 2, 100) as { items: Array<Record<string, unknown>> };
    page.items[3] = { ...page.items[3], id: 'x' };
    return { json: page };
  });
}

describe('servers that ignore paging or the kind filter', () => {
  const many = [ORDERS, ...Array.from({ length: 149 }, (_, i) => fullDatastore(1000 + i, `ds ${1000 + i}`))];
  const expectRightPlan = (r: RunResult): void => {
    expect(r.stderr).not.toContain('error');
    expect(r.stderr).not.toContain('ambiguous');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('~ datastore "Orders" (id 1) {');
    expect(r.stdout).toContain('+ enrichment_datastore');
    expect(r.stdout).toContain('"Warehouse Enrichment" (id 100)');
    expect(r.stdout).toContain('Plan: 1 datastore to change (1 link, 1 settings update), 0 unchanged.');
  };

  // Planned from, a listing whose pages do not add up would miss datastores: a drift check would pass.
  const sourcePage = (n: number, json: (q: Request) => unknown): ((q: Request) => Answer) => wellBehaved([...many, WAREHOUSE], (q) => (
    q.path === '/api/datastores' && q.params.get('enrichment_only') === 'false' && q.params.get('name') === null && q.params.get('page') === String(n)
      ? { json: json(q) }
      : undefined));
  const LISTING = 'GET /datastores?page=2&size=100&enrichment_only=false';

  it('a server answering page 1 for every page, saying so or not, is refused: the listing would miss datastores', async () => {
    const asked = await runAgainst(sourcePage(2, () => ({ ...pageOf(many, 1, 100), page: 2 })), ['plan', '--detailed-exitcode']);
    expectRefused(asked, `${LISTING}: page 2 holds 100 items, but 150 datastores in 2 pages of 100 put 50 on it`);
    await server!.close();
    const echoed = await runAgainst(sourcePage(2, () => pageOf(many, 1, 100)), ['plan', '--detailed-exitcode']);
    expectRefused(echoed, `${LISTING}: page is 1, expected 2, the page asked for`);
  });

  it('a listing that grows between two pages is refused, and the command can be run again', async () => {
    const grown = [...many, ...Array.from({ length: 100 }, (_, i) => fullDatastore(2000 + i, `new ${i}`))];
    const r = await runAgainst(sourcePage(2, () => pageOf(grown, 2, 100)), ['plan', '--detailed-exitcode']);
    expectRefused(r, `${LISTING}: the listing changed while it was read: page 1 said 150 datastores in 2 pages of 100, this page says 250 datastores in 3 pages of 100; run the command again`);
  });

  it('a short page before the last is refused: the datastores it leaves out would go unseen', async () => {
    const r = await runAgainst(sourcePage(1, () => ({ ...pageOf(many, 1, 100), items: many.slice(0, 60) })), ['plan', '--detailed-exitcode']);
    expectRefused(r, 'GET /datastores?page=1&size=100&enrichment_only=false: page 1 holds 60 items, but 150 datastores in 2 pages of 100 put 100 on it');
  });

  it('the same datastore on two pages, with another state, is refused rather than one of them believed', async () => {
    const r = await runAgainst(sourcePage(2, () => {
      const page = pageOf(many, 2, 100) as { items: unknown[] };
      page.items[0] = { ...ORDERS, high_count_rollup_threshold: 20 };
      return page;
    }), ['plan', '--detailed-exitcode']);
    expectRefused(r, 'GET /datastores?size=100&enrichment_only=false: its 2 pages hold 149 different datastores, but it says there are 150: ' +
      'the listing changed while it was read, or repeats datastores on several pages; run the command again');
  });

  it('a name look-up that misses a datastore page 1 shows by that name: the name is ambiguous, not the look-up\'s one datastore', async () => {
    const more = [...many, ...Array.from({ length: 100 }, (_, i) => fullDatastore(3000 + i, `more ${i}`)), fullDatastore(7, 'Orders')];
    // 251 sources: one look-up by name is cheaper than two more pages, and this server's name filter finds only id 7.
    const r = await runAgainst(wellBehaved([...more, WAREHOUSE], (q) => (q.params.get('name') === 'Orders' ? { json: pageOf([fullDatastore(7, 'Orders')], 1, 100) } : undefined)),
      ['plan', '--detailed-exitcode']);
    expect(server!.requests.some((q) => q.query === 'page=1&size=100&name=Orders&enrichment_only=false')).toBe(true);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('m.yaml:3:16: error: datastore name "Orders" is ambiguous: ids 1, 7 share it; declare it by id instead');
    expect(server!.writes()).toStrictEqual([]);
  });

  it('a server ignoring enrichment_only, listing every datastore in both listings: the kinds come from each item', async () => {
    const r = await runAgainst(wellBehaved(WORLD, (q) => (q.path === '/api/datastores' ? { json: pageOf(WORLD, 1, 100) } : undefined)), ['plan', '--detailed-exitcode']);
    expectRightPlan(r);
    expect(server!.requests.map((q) => q.query).sort()).toStrictEqual(['page=1&size=100&enrichment_only=false', 'page=1&size=100&enrichment_only=true']);
  });
});

describe('server texts on a terminal', () => {
  const EVIL = '\u001b[2J\u001b]0;pwned\u0007Orders\nenrichctl will perform nothing\u009b31m\u202eevil\u2066';
  const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

  it('plan and apply print hostile names and details escaped, never raw', async () => {
    const evil = fullDatastore(1, EVIL);
    const handler = wellBehaved([evil, WAREHOUSE], (q) => (q.method === 'PUT'
      ? { status: 409, json: { detail: 'refused \u001b[31mred\u009b1m\r\nfake line' } }
      : undefined));
    const text = manifest('  - datastore: 1\n    enrichment_datastore: Warehouse Enrichment\n    high_count_rollup_threshold: 20\n');
    const plan = await runAgainst(handler, ['plan'], text);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('"\\u001b[2J\\u001b]0;pwned\\u0007Orders\\nenrichctl will perform nothing\\u009b31m\\u202eevil\\u2066" (id 1)');
    for (const out of [plan.stdout, plan.stderr]) expect(out).not.toMatch(CONTROLS);
    await server!.close();

    const apply = await runAgainst(handler, ['apply', '--auto-approve'], text);
    expect(apply.code).toBe(1);
    expect(apply.stdout).toContain('PUT /datastores/1 answered 409: refused \\u001b[31mred\\u009b1m fake line');
    for (const out of [apply.stdout, apply.stderr]) expect(out).not.toMatch(CONTROLS);
  });
});

describe('a web page where the API should be (a sign-in page, a portal, a gateway)', () => {
  const SIGN_IN = '<!DOCTYPE html><html><head><title>Sign in | Acme SSO</title></head><body>' + '<p>x</p>'.repeat(500) + '</body></html>';
  const hint = (url: string): string =>
    `  = the URL does not answer like the Qualytics API: a web page%s came back, as from a sign-in page, a portal or a gateway in between; check that ${url} is the deployment's API address, and the proxy settings\n`;
  const cases: Array<{ name: string; answer: Answer; message: string; redirect?: true }> = [
    { name: 'answered 200', answer: { raw: SIGN_IN }, message: 'GET /datastores answered 200: a web page, not the API\'s JSON (titled "Sign in | Acme SSO")' },
    // A gateway's page with 403 was taken for the API's own refusal: "the token's user needs the team permission".
    { name: 'answered 403', answer: { status: 403, raw: SIGN_IN }, message: 'GET /datastores answered 403: a web page, not the API\'s JSON (titled "Sign in | Acme SSO")' },
    {
      name: 'a redirect to it, with no body',
      answer: { stream: (res: ServerResponse) => { res.writeHead(302, { location: 'https://sso.acme.example/login?state=s3cr3t-state' }); res.end(); } },
      message: 'GET /datastores answered 302: a redirect to https://sso.acme.example/login',
      redirect: true,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await runAgainst(() => c.answer, ['plan']);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      const [first = '', second = ''] = r.stderr.split(/(?<=\n)/);
      expect(first).toMatch(new RegExp(`^error: ${c.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`));
      expect(second).toBe(hint(server!.url).replace('%s', c.redirect ? ' or a redirect (enrichctl follows none)' : ''));
      expect(r.stderr).not.toContain('s3cr3t-state');
      expect(r.stderr).not.toContain('<p>');
    });
  }
});
