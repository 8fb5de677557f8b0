/**
 * The portal end to end in real Chromium (Debian's /usr/bin/chromium driven by playwright-core):
 * the simulators, the gateway and the production portal run on free ports against a fresh data
 * directory; each user signs in through the sign-in form in an isolated browser context.
 * Every page visited is saved to test-results/screenshots/ for a person to look at.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../gateway/config.ts';
import { demoIssuer } from '../../gateway/demo-issuer.ts';
import { createLogger } from '../../gateway/log.ts';
import { startGateway, type RunningGateway } from '../../gateway/main.ts';
import { startSimulators, type RunningSimulators } from '../../simulators/start.ts';
import { createWorld } from '../../simulators/demo/world.ts';
import { loadMapping } from '../../sources/mapping.ts';
import { ROOT, buildPortal, buildReason, startPortal, type RunningPortal } from '../../scripts/portal.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-results', 'screenshots');
const PARTNER = 'anna@northwind.example';
const SALES = 'sales.emea@atrium.example';
const COMPLIANCE = 'compliance@atrium.example';

let dataDir: string;
let sims: RunningSimulators;
let gateway: RunningGateway;
let portal: RunningPortal;
let browser: Browser;
const tokens = new Map<string, string>();
/** Every text body the browser received, with its URL (scanned for leaked tokens at the end). */
const seen: { url: string; body: string }[] = [];
/** Cache-Control of every HTML page the browser loaded. */
const pageCaching: { url: string; cacheControl: string }[] = [];

/** The parts of an <img> element the checks read (the tests' tsconfig has no DOM typings). */
interface ImageLike {
  complete: boolean;
  naturalWidth: number;
  addEventListener(type: 'load', listener: () => void, options: { once: boolean }): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Ask the gateway directly, as a user: the answer the portal must agree with. */
async function gql<T>(email: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(email)}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data: T };
  return body.data;
}

async function shot(page: Page, name: string): Promise<void> {
  // Lazy thumbnails below the fold load first, so the picture shows the whole page.
  await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
  await page.waitForLoadState('networkidle');
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** A fresh context for one user, signed in through the form; records what the browser receives. */
async function signIn(email: string, shotName?: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('response', (res) => {
    const type = res.headers()['content-type'] ?? '';
    if (type.startsWith('text/html')) pageCaching.push({ url: res.url(), cacheControl: res.headers()['cache-control'] ?? '' });
    if (/text\/|javascript|json|x-component/.test(type))
      void res.text().then(
        (body) => seen.push({ url: res.url(), body }),
        () => undefined,
      );
  });
  await page.goto(`${portal.url}/`);
  await page.waitForURL(/\/signin/);
  if (shotName) await shot(page, shotName);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${portal.url}/`);
  await page.getByRole('heading', { level: 1, name: /Welcome/ }).waitFor();
  return { context, page };
}

before(
  async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: the portal's e2e tests need Debian's chromium (apt-get install -y chromium; .ci/run installs it)`,
      );
    }
    await mkdir(SHOTS, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'atrium-e2e-'));
    const base = loadConfig({ ATRIUM_DATA_DIR: dataDir });
    const world = createWorld(base.world);
    sims = await startSimulators(world, loadMapping(base.mappingFile), {
      host: '127.0.0.1',
      ports: { otcs: 0, iconik: 0, netx: 0, otmm: 0 },
    });
    const config = loadConfig({
      ATRIUM_DATA_DIR: dataDir,
      OTCS_URL: sims.urls.otcs,
      ICONIK_URL: sims.urls.iconik,
      NETX_URL: sims.urls.netx,
      OTMM_URL: sims.urls.otmm,
    });
    gateway = await startGateway(config, createLogger('silent'), { port: 0 });
    const issuer = await demoIssuer(dataDir);
    for (const u of world.demoUsers()) tokens.set(u.email, await issuer.sign(u));
    // One production build per change of the portal's sources, shared with npm start.
    if (buildReason()) await buildPortal({ quiet: true });
    portal = await startPortal({ host: '127.0.0.1', port: await freePort(), gatewayUrl: gateway.url, dataDir, demo: true, quiet: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // launch() gives every run a fresh temporary profile (user-data-dir) of its own.
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  },
  { timeout: 240_000 },
);

after(async () => {
  await browser?.close();
  await portal?.close();
  await gateway?.close();
  await sims?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('portal in Chromium', { timeout: 120_000 }, () => {
  test('a partner sees only her campaigns, accepts the terms and downloads a rendition', async () => {
    const { context, page } = await signIn(PARTNER, 'signin');
    await shot(page, 'home-partner');

    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'next-auth.session-token');
    assert.ok(session, 'a session cookie is set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    for (const c of cookies) assert.doesNotMatch(c.value, /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/, `cookie ${c.name} carries a bearer token`);

    const fromGateway = await gql<{ campaigns: { nodes: { id: string; code: string }[] } }>(
      PARTNER,
      '{ campaigns(first: 100) { nodes { id code } } }',
    );
    const shown = await page
      .getByTestId('campaign-list')
      .locator('li')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    assert.deepEqual([...shown].sort(), fromGateway.campaigns.nodes.map((c) => c.code).sort());
    assert.ok(shown.length > 0);

    const first = fromGateway.campaigns.nodes.find((c) => c.code === 'CMP-2026-001') ?? fromGateway.campaigns.nodes[0];
    assert.ok(first);
    await page.goto(`${portal.url}/campaigns/${first.id}`);
    const grid = page.getByTestId('asset-grid');
    await grid.waitFor();
    // Thumbnails come through the portal's proxy and really are images.
    const thumb = grid.locator('img').first();
    await thumb.evaluate((img: ImageLike) =>
      img.complete ? undefined : new Promise<void>((r) => img.addEventListener('load', () => r(), { once: true })),
    );
    assert.ok(await thumb.evaluate((img: ImageLike) => img.naturalWidth > 0), 'the thumbnail loaded');
    assert.match(await grid.locator('.badge').first().innerText(), /Rights/);
    await shot(page, 'campaign');

    await grid.locator('h3 a').first().click();
    await page.waitForURL(/\/assets\//);
    const assetId = decodeURIComponent(page.url().split('/assets/')[1]!.split(/[?#]/)[0]!);
    await page.getByTestId('rights').waitFor();
    await shot(page, 'asset');

    const asset = await gql<{ asset: { renditions: { kind: string; url: string; mimeType: string }[] } }>(
      PARTNER,
      'query($id: ID!) { asset(id: $id) { renditions { kind url mimeType } } }',
      { id: assetId },
    );
    const original = asset.asset.renditions.find((r) => r.kind === 'ORIGINAL');
    assert.ok(original);
    const href = `${portal.url}/files/assets/${assetId}/original`;
    assert.equal((await context.request.get(href)).status(), 403, 'no licensed download before the terms are accepted');

    await page.getByLabel(/^Original/).check();
    await page.getByTestId('download').click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await shot(page, 'asset-terms');
    await dialog.getByLabel('I accept these usage terms').check();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Accept and download' }).click(),
    ]);
    const bytes = await readFile(await download.path());
    const expected = Buffer.from(
      await (await fetch(original.url, { headers: { authorization: `Bearer ${tokens.get(PARTNER)}` } })).arrayBuffer(),
    );
    assert.ok(bytes.length > 0);
    assert.ok(bytes.equals(expected), 'the downloaded bytes are the rendition the gateway serves');

    const again = await context.request.get(href);
    assert.equal(again.status(), 200);
    assert.equal(again.headers()['content-type'], original.mimeType);
    assert.match(again.headers()['content-disposition'] ?? '', /attachment/);
    assert.doesNotMatch(again.headers()['cache-control'] ?? '', /public|s-maxage/);

    const log = await readFile(join(dataDir, 'portal', 'terms-acceptances.jsonl'), 'utf8');
    const accepted = log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { email: string; assetId: string });
    assert.ok(
      accepted.some((a) => a.email === PARTNER && a.assetId === assetId),
      'the acceptance is recorded',
    );

    await page.goto(`${portal.url}/search?q=Aurora&sort=NAME`);
    await page.getByTestId('result-count').waitFor();
    await page.getByRole('group', { name: 'Asset kind' }).getByRole('checkbox').first().check();
    await page.waitForURL(/kind=/);
    await page.getByTestId('hits').waitFor();
    await shot(page, 'search');
    await context.close();
  });

  test("an asset outside the partner's scope is not found, page and file alike", async () => {
    const hidden = await gql<{ search: { nodes: { id: string }[] } }>(
      COMPLIANCE,
      '{ search(first: 1, filter: { approvals: [PENDING] }) { nodes { ... on Asset { id } } } }',
    );
    const id = hidden.search.nodes[0]?.id;
    assert.ok(id, 'the world has a pending asset');
    const { context, page } = await signIn(PARTNER);
    await page.goto(`${portal.url}/assets/${id}`);
    await page.getByTestId('not-found').waitFor();
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Asset not found/);
    await shot(page, 'asset-not-found');
    assert.equal((await context.request.get(`${portal.url}/files/assets/${id}/thumbnail`)).status(), 404);
    assert.equal((await context.request.get(`${portal.url}/files/audit-events.csv`)).status(), 404, 'the audit export is not for partners');
    await context.close();
  });

  test("a sales user sees their account's documents and videos, and not another team's account", async () => {
    const { context, page } = await signIn(SALES);
    await page.getByTestId('account-list').waitFor();
    await shot(page, 'home-sales');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await page.waitForURL(/\/accounts$/);
    await shot(page, 'accounts');

    const data = await gql<{
      account: { id: string; documents: { nodes: { name: string }[] }; assets: { nodes: { title: string; kind: string }[] } };
    }>(SALES, '{ account(id: "ACC-1001") { id documents(first: 100) { nodes { name } } assets(first: 48) { nodes { title kind } } } }');
    await page.getByRole('link', { name: 'Northwind Distribution' }).click();
    await page.waitForURL(/\/accounts\/.+/);
    await page.getByRole('heading', { name: 'Demo videos and testimonials' }).waitFor();
    const main = page.locator('main');
    const proposal = data.account.documents.nodes.find((d) => /proposal/i.test(d.name));
    const video = data.account.assets.nodes.find((a) => a.kind === 'VIDEO');
    assert.ok(proposal && video);
    await main.getByText(proposal.name).first().waitFor();
    await main.getByText(video.title).first().waitFor();
    assert.equal(await main.getByTestId('document-table').locator('tbody tr').count(), data.account.documents.nodes.length);
    await shot(page, 'account');

    const other = await gql<{ account: { id: string } }>(COMPLIANCE, '{ account(id: "ACC-1004") { id } }');
    await page.goto(`${portal.url}/accounts/${other.account.id}`);
    await page.getByTestId('not-found').waitFor();
    await shot(page, 'account-not-found');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${portal.url}/accounts/${data.account.id}`);
    await page.getByRole('heading', { name: 'Demo videos and testimonials' }).waitFor();
    assert.ok(Number(await page.evaluate('document.documentElement.scrollWidth')) <= 390, 'the phone layout does not scroll sideways');
    await shot(page, 'account-phone');
    await context.close();
  });

  test('the compliance user sees the dashboard', async () => {
    const { context, page } = await signIn(COMPLIANCE);
    await page.getByRole('link', { name: 'Compliance' }).click();
    await page.waitForURL(/\/compliance$/);
    await page.getByTestId('expiry-chart').waitFor();
    await page.getByRole('heading', { name: /Pending approvals/ }).waitFor();
    await page.getByRole('heading', { name: /Documents on legal hold/ }).waitFor();
    await page.getByRole('heading', { name: /Recent downloads by company/ }).waitFor();
    assert.ok((await page.getByTestId('pending').locator('li').count()) > 0);
    await shot(page, 'compliance');
    // The audit export goes through the portal with the compliance reader's token.
    const csv = await context.request.get(`${portal.url}/files/audit-events.csv`);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'] ?? '', /^text\/csv/);
    await context.close();
  });

  test('a source outage shows as a banner naming the source while the rest renders', async () => {
    const { context, page } = await signIn(PARTNER);
    await fetch(`${sims.roots.iconik}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ down: true }),
    });
    try {
      await page.goto(`${portal.url}/campaigns/CMP-2026-002`);
      const banner = page.getByTestId('outage-banner');
      await banner.waitFor();
      assert.match(await banner.innerText(), /iconik \(ICONIK\) is not answering/);
      // The documents (Content Server) and the other DAMs' assets still render.
      assert.ok((await page.getByTestId('document-table').first().locator('tbody tr').count()) > 0);
      assert.ok((await page.getByTestId('asset-grid').locator('li').count()) > 0);
      await shot(page, 'outage');
    } finally {
      await fetch(`${sims.roots.iconik}/__sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clear: true }),
      });
      await context.close();
    }
  });

  test('keyboard users reach the skip link first', async () => {
    const { context, page } = await signIn(PARTNER);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.textContent'), 'Skip to content');
    await context.close();
  });

  test('the download proxy refuses requests without a session', async () => {
    const res = await fetch(`${portal.url}/files/documents/anything`);
    assert.equal(res.status, 401);
  });

  test('no gateway token reaches the browser, and no session page is cached publicly', () => {
    assert.ok(seen.length > 10, 'responses were recorded');
    const jwt = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g;
    for (const { url, body } of seen) {
      for (const t of tokens.values()) assert.ok(!body.includes(t), `a gateway token appears in ${url}`);
      for (const m of body.match(jwt) ?? []) {
        const claims = JSON.parse(Buffer.from(m.split('.')[1]!, 'base64url').toString('utf8')) as { iss?: string; aud?: string };
        assert.notEqual(claims.aud, 'atrium-gateway', `a gateway token appears in ${url}`);
      }
      assert.ok(!body.includes(gateway.url), `the gateway's address appears in ${url}`);
      assert.doesNotMatch(body, /[?&]sig=[\w-]{43}/, `a signed gateway link appears in ${url}`);
    }
    assert.ok(pageCaching.length > 5);
    for (const { url, cacheControl } of pageCaching)
      assert.doesNotMatch(cacheControl, /public|s-maxage/, `${url} is cacheable publicly: ${cacheControl}`);
  });
});
