/**
 * The token never leaves the client, whatever the server says: a hostile front echoes the request's
 * Authorization header in its error answers (JSON details, a FastAPI 422, plain text, HTML) and in
 * a successful answer's data, and the token appears in no stdout, stderr or written file, with
 * `[redacted]` where the echo was.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { startHostileFront, type HostileAnswer, type HostileFront } from '../helpers/hostile-front.js';
import { manifest, run, workspace, type RunResult } from '../helpers/cli.js';

// A base64-ish token with a `/` (JSON may escape it) and a `+` (URL-encoding changes it).
const TOKEN = 'hostile/Tok3n+abc_0123456789xyz';
const M = manifest('  - datastore: Orders\n    high_count_rollup_threshold: 12\n');
// Slashes JSON may escape or not, one by one, and a quote and a backslash JSON must escape.
const ODD = 'ab/cd/ef"q\\z-0123456789';

let em: RunningEmulator;
let front: HostileFront | undefined;
beforeEach(async () => {
  em = await startEmulator({
    seed: {
      users: [{ name: 'Ada Admin', role: 'Admin', token: TOKEN }, { name: 'Odd Admin', role: 'Admin', token: ODD }],
      datastores: [{ id: 1, name: 'Orders' }, { id: 100, name: 'Warehouse Enrichment', enrichment_only: true }],
    },
  });
});
afterEach(async () => {
  await front?.close();
  front = undefined;
  await em.close();
});

const json = (status: number, value: unknown, escapeSlashes = false): HostileAnswer => {
  const body = JSON.stringify(value);
  return { status, contentType: 'application/json', body: escapeSlashes ? body.replace(/\//g, '\\/') : body };
};

/** Every form of the token a leak could take. */
function expectNoToken(text: string): void {
  for (const form of [TOKEN, TOKEN.replace(/\//g, '\\/'), encodeURIComponent(TOKEN), 'Tok3n']) expect(text).not.toContain(form);
}

async function cli(args: string[], hostile: (req: IncomingMessage, auth: string) => HostileAnswer | undefined,
  rewrite?: (value: unknown, auth: string) => void, spell?: (text: string) => string): Promise<RunResult & { dir: string }> {
  front = await startHostileFront({ upstream: em.url, hostile, rewrite, spell });
  const dir = await workspace({ 'm.yaml': M });
  const r = await run(args, { cwd: dir, env: { QUALYTICS_URL: front.url, QUALYTICS_TOKEN: TOKEN } });
  expectNoToken(`${r.stdout}${r.stderr}`);
  return { ...r, dir };
}

describe('an echoed Authorization header in an error answer', () => {
  it.each([
    ['a 401 JSON detail, slashes JSON-escaped', (auth: string) => json(401, { detail: `Invalid credentials in header: ${auth}` }, true)],
    ['a 422 FastAPI list with the token in msg and input', (auth: string) => json(422, {
      detail: [{ type: 'value_error', loc: ['header', 'authorization'], msg: `malformed value ${auth}`, input: auth }],
    })],
    ['a 422 list entry without msg (shown as JSON)', (auth: string) => json(422, { detail: [{ loc: ['header'], input: auth }] })],
    ['a 500 plain-text page, with the token URL-encoded too', (auth: string) => ({
      status: 500, contentType: 'text/plain',
      body: `Traceback: handler failed\nAuthorization: ${auth}\nreferer: /login?token=${encodeURIComponent(TOKEN)}\n`,
    })],
    // A web page is shown by its title only: the token in it, redacted.
    ['an HTML error page, "bearer" in lower case, in its title', (auth: string) => ({
      status: 404, contentType: 'text/html',
      body: `<html><head><title>404 for authorization: ${auth.replace('Bearer', 'bearer')}</title></head><body><pre>authorization: ${auth}</pre></body></html>`,
    })],
    ['a detail far beyond the length shown, token at the cut', (auth: string) => json(400, { detail: `${'x'.repeat(977)} ${auth}` })],
  ])('plan: %s is redacted on stderr', async (_name, answer) => {
    const r = await cli(['plan', 'm.yaml'], (_req, auth) => answer(auth));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: GET \/datastores answered \d{3}/);
    if (!_name.includes('without msg') && !_name.includes('at the cut')) expect(r.stderr).toContain('[redacted]');
  });

  it('apply: a 403 on the PUT echoing the header is redacted in the text report', async () => {
    const r = await cli(['apply', 'm.yaml', '--auto-approve'], (req, auth) => (req.method === 'PUT'
      ? json(403, { detail: `User (${auth}) lacks editor permission` }) : undefined));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('failed   PUT /datastores/1 answered 403: User ([redacted]) lacks editor permission');
  });

  it('apply --format json: the same 403 is redacted in the report document', async () => {
    const r = await cli(['apply', 'm.yaml', '--auto-approve', '--format', 'json'], (req, auth) => (req.method === 'PUT'
      ? json(403, { detail: `User (${auth}) lacks editor permission` }) : undefined));
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { results: Array<{ operations: Array<{ error?: { detail: string; message: string } }> }> };
    expect(report.results[0]!.operations[0]!.error).toMatchObject({ detail: 'User ([redacted]) lacks editor permission', status: 403 });
  });
});

describe('an echoed Authorization header in the data of a successful answer', () => {
  // The prefix of the datastore in the plan becomes the echo: shown by every plan format and saved.
  const rewrite = (value: unknown, auth: string): void => {
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (typeof v === 'object' && v !== null) {
        const o = v as Record<string, unknown>;
        if (o.id === 1 && 'enrichment_prefix' in o) o.enrichment_prefix = `p ${auth} ${encodeURIComponent(TOKEN)}`;
        Object.values(o).forEach(visit);
      }
    };
    visit(value);
  };

  it('plan --format markdown and plan --out: redacted in the comment and the saved plan', async () => {
    const r = await cli(['plan', 'm.yaml', '--format', 'markdown', '--out', 'plan.json'], () => undefined, rewrite);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[redacted]');
    const saved = await readFile(join(r.dir, 'plan.json'), 'utf8');
    expectNoToken(saved);
    expect(saved).toContain('p [redacted] [redacted]');
  });

  it('a token with several slashes, a quote and a backslash, spelt with some escaped and some not, is redacted in the saved plan', async () => {
    front = await startHostileFront({ upstream: em.url, rewrite, spell: (text) => text.split(JSON.stringify(ODD).slice(1, -1)).join('ab\\/cd/ef\\"q\\\\\\u007a-0123456789') });
    const dir = await workspace({ 'm.yaml': M });
    const r = await run(['plan', 'm.yaml', '--out', 'plan.json'], { cwd: dir, env: { QUALYTICS_URL: front.url, QUALYTICS_TOKEN: ODD } });
    expect(r.code, r.stderr).toBe(0);
    const saved = await readFile(join(dir, 'plan.json'), 'utf8');
    expect(JSON.stringify(JSON.parse(saved))).not.toContain(JSON.stringify(ODD).slice(1, -1));
    expect(saved).toContain('p [redacted]');
  });

  it.each([
    ['an error detail that is an object (shown as JSON)', (auth: string) => json(400, { detail: { echoed: auth } })],
    ['an error body that is not JSON', (auth: string) => ({ status: 500, contentType: 'application/json', body: `{"detail": ${JSON.stringify(auth)}` })],
    ['a 200 body that is not JSON', (auth: string) => ({ status: 200, contentType: 'application/json', body: `{"items": [${JSON.stringify(auth)}` })],
    ['a redirect whose address holds the token', (auth: string) => ({ status: 302, contentType: 'text/plain', body: '', location: `/login/${auth.slice(7)}?next=1` })],
    ['a redirect whose address holds the token percent-encoded', (auth: string) => ({ status: 302, contentType: 'text/plain', body: '', location: `/login/${encodeURI(auth.slice(7))}` })],
  ])('a token with slashes, a quote and a backslash, echoed in %s: redacted', async (_name, answer) => {
    front = await startHostileFront({ upstream: em.url, hostile: (_req, auth) => answer(auth) });
    const dir = await workspace({ 'm.yaml': M });
    const r = await run(['plan', 'm.yaml'], { cwd: dir, env: { QUALYTICS_URL: front.url, QUALYTICS_TOKEN: ODD } });
    expect(r.code).toBe(1);
    const out = `${r.stdout}${r.stderr}`;
    for (const form of [ODD, JSON.stringify(ODD).slice(1, -1), 'ef%22q', 'ef"q', 'q\\z', 'q/z']) expect(out, form).not.toContain(form);
  });

  // Spellings JSON.parse turns back into the token: every character as \u, and a mix of \u and \/.
  const spellings = [
    [...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
    `\\u0068${TOKEN.slice(1).replace('/', '\\/')}`,
  ];
  it.each(spellings)('the token spelt in JSON escapes (%s, the same string once parsed) is redacted too, in every output and the saved plan', async (escaped) => {
    const spell = (text: string): string => text.split(TOKEN).join(escaped);
    for (const args of [['plan', 'm.yaml', '--out', 'plan.json'], ['plan', 'm.yaml', '--format', 'json'], ['apply', 'm.yaml', '--auto-approve', '--format', 'json']]) {
      const r = await cli(args, () => undefined, rewrite, spell);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
      const written = args.includes('--out') ? await readFile(join(r.dir, 'plan.json'), 'utf8') : r.stdout;
      expectNoToken(written);
      // The apply report shows no prefix: there the token must only be absent.
      if (args[0] === 'plan') expect(written).toContain('p [redacted]');
      await front!.close();
      front = undefined;
    }
  });

});
