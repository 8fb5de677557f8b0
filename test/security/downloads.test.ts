/**
 * Downloads (issue 5): `Rendition.url` and `Document.downloadUrl` are gateway URLs under `/files/`
 * signed for one reader (`exp`, `sig`), fetched with that reader's bearer token (real demo-issuer
 * tokens here). The reader gets the bytes; another reader, an altered URL, an expired one, no
 * token, and any URL for an object outside the reader's scope get nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticator } from '../../gateway/auth.ts';
import { demoIssuer, type DemoIssuer } from '../../gateway/demo-issuer.ts';
import type { DemoUser } from '../../simulators/demo/world.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import {
  assets,
  AT,
  documents,
  gid,
  label,
  rightsOf,
  SECOND,
  seenAssets,
  seenDocuments,
  seesAsset,
  user,
  type AssetRow,
  type DocumentRow,
} from '../helpers/security.ts';

const anna = user('anna@northwind.example');
const ben = user('ben@northwind.example');
const kenji = user('kenji@sakura-media.example');
const marketing = user('marketing@atrium.example');
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let now = AT;
let dataDir: string;
let issuer: DemoIssuer;
let stack: Stack;
const tokens = new Map<string, string>();

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'atrium-security-downloads-'));
  issuer = await demoIssuer(dataDir);
  const authenticator = createAuthenticator({ issuers: [issuer.issuerConfig] });
  stack = await startStack({ principalFor: (h) => authenticator.principalFor(h), now: () => now, timeoutMs: 10_000 });
  for (const u of [anna, ben, kenji, marketing]) tokens.set(u.email, await issuer.sign(u));
});
after(async () => {
  await stack.close();
  await rm(dataDir, { recursive: true, force: true });
});

const bearer = (u: DemoUser) => ({ authorization: `Bearer ${tokens.get(u.email) as string}` });
const gql = async <T>(u: DemoUser, query: string, variables: Record<string, unknown> = {}) => {
  const res = await stack.query<T>(query, variables, bearer(u));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
};
const get = (url: string, u: DemoUser | null) => fetch(url, { headers: u ? bearer(u) : {} });

/** An image anna sees (and kenji does not), with all four renditions. */
const image: AssetRow = (() => {
  const r = seenAssets(anna).find(
    (a) =>
      a.demo.kind === 'IMAGE' && a.demo.renditions.length === 4 && !seesAsset(kenji, a) && !a.demo.rights.validUntil?.startsWith('2026-12'),
  );
  if (!r) throw new Error('no image for anna only');
  return r;
})();
/** Another image anna sees, for swapping ids. */
const otherImage = seenAssets(anna).find((a) => a.demo.kind === 'IMAGE' && a !== image) as AssetRow;
/** A document anna sees and kenji does not. */
const doc: DocumentRow = (() => {
  const kenjis = new Set(seenDocuments(kenji));
  const r = seenDocuments(anna).find((d) => !kenjis.has(d) && d.demo.mimeType === 'application/pdf');
  if (!r) throw new Error('no document for anna only');
  return r;
})();

const RENDITIONS = 'query($id: ID!) { asset(id: $id) { id renditions { kind url mimeType } } }';
const DOCUMENT = 'query($id: ID!) { document(id: $id) { id version mimeType downloadUrl } }';

async function renditionUrl(u: DemoUser, a: AssetRow, kind: string): Promise<string> {
  const body = await gql<{ asset: { renditions: { kind: string; url: string | null }[] } | null }>(u, RENDITIONS, {
    id: gid.asset(a.demo),
  });
  const url = body.data?.asset?.renditions.find((r) => r.kind === kind)?.url;
  assert.ok(url, `${u.email} has a ${kind} URL for ${a.demo.nativeId}: ${JSON.stringify(body)}`);
  return url;
}

/** A URL with one query parameter replaced. */
const withParam = (url: string, name: string, value: string) => {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u.toString();
};

describe('a signed rendition URL', () => {
  test("is a gateway URL under /files/ with exp and sig, expiring soon after the stack's clock", async () => {
    now = AT;
    const url = new URL(await renditionUrl(anna, image, 'ORIGINAL'));
    assert.equal(url.origin, stack.url);
    assert.match(url.pathname, /^\/files\//);
    const exp = Number(url.searchParams.get('exp'));
    assert.ok(exp * 1000 > AT && exp * 1000 <= AT + 3600 * SECOND, `exp ${exp} is after now and within the hour`);
    assert.ok(url.searchParams.get('sig'));
  });

  test('serves its reader the bytes: 200, a PNG, as many bytes as announced', async () => {
    now = AT;
    for (const kind of ['THUMBNAIL', 'ORIGINAL']) {
      const res = await get(await renditionUrl(anna, image, kind), anna);
      assert.equal(res.status, 200, kind);
      assert.equal(res.headers.get('content-type'), 'image/png');
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 8)], PNG, `${kind}: a PNG`);
      const length = res.headers.get('content-length');
      if (length !== null) assert.equal(bytes.length, Number(length), `${kind}: content-length`);
    }
  });

  test('is refused to another reader replaying it (same company, another company, an internal reader): 403', async () => {
    now = AT;
    const url = await renditionUrl(anna, image, 'PREVIEW');
    for (const other of [ben, kenji, marketing]) assert.equal((await get(url, other)).status, 403, other.email);
    assert.equal((await get(url, anna)).status, 200, 'still fine for anna');
  });

  test('is refused when altered (kind, id, exp, sig): 403', async () => {
    now = AT;
    const url = await renditionUrl(anna, image, 'THUMBNAIL');
    const exp = new URL(url).searchParams.get('exp') as string;
    const sig = new URL(url).searchParams.get('sig') as string;
    const altered: Record<string, string> = {
      kind: url.replace('/thumbnail?', '/original?'),
      id: url.replace(gid.asset(image.demo), gid.asset(otherImage.demo)),
      exp: withParam(url, 'exp', String(Number(exp) + 60)),
      sig: withParam(url, 'sig', `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`),
      'no sig': url.replace(/&sig=[^&]+/, ''),
    };
    for (const [what, u] of Object.entries(altered)) {
      assert.notEqual(u, url, `${what} was altered`);
      assert.equal((await get(u, anna)).status, 403, `altered ${what}`);
    }
  });

  test('is refused after exp (the clock moved on): 403 or 410', async () => {
    now = AT;
    const url = await renditionUrl(anna, image, 'WEB');
    const exp = Number(new URL(url).searchParams.get('exp')) * 1000;
    now = exp + SECOND;
    try {
      assert.ok([403, 410].includes((await get(url, anna)).status));
    } finally {
      now = AT;
    }
  });

  test("never outlives the asset's effective rights: an expiring asset's URL stops with its rights", async () => {
    const expiring = seenAssets(anna).find((a) => {
      const until = rightsOf(a.demo, AT).validUntil;
      return until && a.demo.renditions.length > 0 && !seesAsset(anna, a, Date.parse(until) + SECOND);
    });
    assert.ok(expiring);
    const T = Date.parse(rightsOf(expiring.demo, AT).validUntil as string);
    now = T - 30 * SECOND;
    try {
      const url = await renditionUrl(anna, expiring, 'THUMBNAIL');
      assert.ok(Number(new URL(url).searchParams.get('exp')) * 1000 <= T, 'exp is at most the end of the rights');
      assert.equal((await get(url, anna)).status, 200, 'before T');
      now = T + SECOND;
      assert.ok([403, 404, 410].includes((await get(url, anna)).status), 'after T');
    } finally {
      now = AT;
    }
  });

  test('needs a token: 401 without one, 401 with a bad one', async () => {
    now = AT;
    const url = await renditionUrl(anna, image, 'THUMBNAIL');
    assert.equal((await get(url, null)).status, 401);
    const bad = await fetch(url, { headers: { authorization: `Bearer ${(tokens.get(anna.email) as string).slice(0, -4)}AAAA` } });
    assert.equal(bad.status, 401);
  });
});

describe('a signed document URL', () => {
  test('serves its reader the bytes of the current version, and nobody else, not altered, not after exp', async () => {
    now = AT;
    const body = await gql<{ document: { version: number; mimeType: string; downloadUrl: string | null } | null }>(anna, DOCUMENT, {
      id: gid.document(doc),
    });
    const d = body.data?.document;
    assert.ok(d?.downloadUrl, JSON.stringify(body));
    const url = new URL(d.downloadUrl);
    assert.equal(url.origin, stack.url);
    assert.match(url.pathname, /^\/files\//);
    assert.ok(url.searchParams.get('exp') && url.searchParams.get('sig'));
    const res = await get(d.downloadUrl, anna);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type')?.split(';')[0], d.mimeType);
    const bytes = Buffer.from(await res.arrayBuffer());
    const length = res.headers.get('content-length');
    if (length !== null) assert.equal(bytes.length, Number(length), 'as many bytes as announced');
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.equal((await get(d.downloadUrl, kenji)).status, 403, 'another reader');
    assert.equal((await get(d.downloadUrl, ben)).status, 403, 'another reader of the same company');
    assert.equal((await get(d.downloadUrl, null)).status, 401, 'no token');
    const other = seenDocuments(anna).find((x) => x !== doc) as DocumentRow;
    assert.equal((await get(d.downloadUrl.replace(gid.document(doc), gid.document(other)), anna)).status, 403, 'altered id');
    if (d.version > 1)
      assert.equal((await get(d.downloadUrl.replace(`/v${d.version}`, `/v${d.version - 1}`), anna)).status, 403, 'altered version');
    now = Number(url.searchParams.get('exp')) * 1000 + SECOND;
    try {
      assert.ok([403, 410].includes((await get(d.downloadUrl, anna)).status), 'after exp');
    } finally {
      now = AT;
    }
  });
});

describe("nothing outside the reader's scope is downloadable", () => {
  test('a partner is handed no URL for a hidden asset or document: by id it is null, NOT_FOUND, no /files/ link anywhere', async () => {
    now = AT;
    const a = await stack.query(RENDITIONS, { id: gid.asset(image.demo) }, bearer(kenji));
    const d = await stack.query(DOCUMENT, { id: gid.document(doc) }, bearer(kenji));
    for (const [what, res] of [
      ['asset', a],
      ['document', d],
    ] as const) {
      assert.equal((res.body.data as Record<string, unknown>)[what], null, what);
      assert.deepEqual(
        res.body.errors?.map((e) => e.extensions?.code),
        ['NOT_FOUND'],
        what,
      );
      assert.ok(!JSON.stringify(res.body).includes('/files/'), `${what}: no download link`);
    }
  });

  test('every URL a partner is handed (search, campaign assets and documents) is for an object they see', async () => {
    now = AT;
    for (const u of [anna, kenji]) {
      const body = await gql<Record<string, unknown>>(
        u,
        `{
        search(first: 100) { nodes { ... on Asset { id renditions { url } } ... on Document { id downloadUrl } } }
        campaigns(first: 100) { nodes { assets(first: 100) { nodes { id renditions { url } } } documents(first: 100) { nodes { id downloadUrl } } } }
      }`,
      );
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      const urls = [...JSON.stringify(body.data).matchAll(/"(http[^"]*\/files\/[^"]*)"/g)].map((m) => m[1] as string);
      assert.ok(urls.length > 50, `${u.email}: URLs handed out`);
      const allowed = new Set([...seenAssets(u).map((r) => gid.asset(r.demo)), ...seenDocuments(u).map(gid.document)]);
      const outside = urls.filter((x) => !new URL(x).pathname.split('/').some((part) => allowed.has(part)));
      assert.deepEqual(
        outside.map((x) => new URL(x).pathname),
        [],
        `${u.email}: URLs for objects outside the policy`,
      );
    }
  });

  test('a correctly shaped URL for a hidden asset or document, with a sig taken from a valid URL, is refused: 403 or 404', async () => {
    now = AT;
    const hiddenAsset = assets.find((r) => r.demo.kind === 'IMAGE' && !seesAsset(kenji, r)) as AssetRow;
    const hiddenDoc = documents.find((r) => !seenDocuments(kenji).includes(r)) as DocumentRow;
    const mine = seenAssets(kenji).find((r) => r.demo.kind === 'IMAGE') as AssetRow;
    const valid = await renditionUrl(kenji, mine, 'THUMBNAIL');
    const forged = [
      valid.replace(gid.asset(mine.demo), gid.asset(hiddenAsset.demo)),
      valid.replace(gid.asset(mine.demo), gid.asset(image.demo)).replace('/thumbnail?', '/original?'),
      valid.replace(/\/files\/assets\/[^/]+\/thumbnail/, `/files/documents/${gid.document(hiddenDoc)}/v1`),
    ];
    for (const url of forged) {
      const status = (await get(url, kenji)).status;
      assert.ok([403, 404].includes(status), `${label(new URL(url).pathname.split('/')[3] as string)}: ${status}`);
    }
    // Anna's genuine URL for her asset, in kenji's hands: refused, whatever he does with it.
    const annas = await renditionUrl(anna, image, 'ORIGINAL');
    assert.equal((await get(annas, kenji)).status, 403);
  });
});
