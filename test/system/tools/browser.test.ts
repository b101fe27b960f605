/**
 * The API page and GraphiQL in a real browser with no internet: Debian's Chromium driven by
 * Playwright opens /docs and /graphiql of the demo as `npm start` runs it, runs "Try it out" on
 * every operation and a GraphiQL query, and fails on any request to another origin or any
 * Content-Security-Policy violation. Chromium must be installed (.ci/run installs it).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { serve, type Served } from '../../helpers/http.js';

const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Screenshots of the pages, for a person to look at. */
const SHOTS = process.env['SCREENSHOTS_DIR'] ?? join(tmpdir(), 'spark-data-api-screenshots');

let served: Served | undefined;
let context: BrowserContext | undefined;
let profile: string | undefined;
const foreign: string[] = [];
const violations: string[] = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: apt-get install -y chromium`);
  const service = await serve({ GRAPHIQL: 'true' });
  served = service;
  profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 1000 },
  });
  context = browser;
  const origin = new URL(service.url).origin;
  // No internet: anything for another origin is recorded and refused.
  await browser.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || new URL(url).origin === origin) return route.continue();
    foreign.push(url);
    return route.abort('internetdisconnected');
  });
  browser.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
});
after(async () => {
  await context?.close();
  await served?.close();
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
});

async function open(path: string): Promise<Page> {
  assert.ok(context !== undefined && served !== undefined);
  const page = await context.newPage();
  await page.goto(`${served.url}${path}`, { waitUntil: 'networkidle' });
  return page;
}

describe('the API page and GraphiQL in a browser without internet', () => {
  it('/docs: "Try it out" succeeds on every operation of the demo', async () => {
    const page = await open('/docs');
    const blocks = page.locator('.opblock');
    await blocks.first().waitFor();
    const count = await blocks.count();
    assert.ok(count >= 14, `${count} operations`);
    const operations: { method: string; label: string; index: number }[] = [];
    for (let i = 0; i < count; i++) {
      const block = blocks.nth(i);
      const label = (await block.locator('.opblock-summary-path').first().innerText()).trim();
      const method = (await block.locator('.opblock-summary-method').first().innerText()).trim();
      operations.push({ method, label, index: i });
    }
    // As a person would: submit a statement, use its id in the operations that ask for one,
    // and delete it last.
    const deletesLast = (op: { method: string }) => (op.method === 'DELETE' ? 1 : 0);
    operations.sort((a, b) => deletesLast(a) - deletesLast(b) || a.index - b.index);
    const submit = operations.findIndex((op) => op.method === 'POST' && op.label === '/v1/statements');
    assert.ok(submit >= 0, 'no POST /v1/statements on the page');
    operations.unshift(...operations.splice(submit, 1));
    let statementId: string | undefined;
    const statuses: Record<string, string> = {};
    for (const { method, label, index } of operations) {
      const block = blocks.nth(index);
      await block.locator('.opblock-summary').first().click();
      const tryOut = block.locator('.try-out__btn');
      await tryOut.waitFor();
      if (/try it out/i.test(await tryOut.innerText())) await tryOut.click();
      if (label.includes('{id}')) {
        assert.ok(statementId !== undefined, `${method} ${label} before a statement was submitted`);
        await block.locator('tr[data-param-name="id"] input').fill(statementId);
      }
      await block.locator('button.execute').click();
      const status = block.locator('.live-responses-table .response .response-col_status').first();
      await status.waitFor({ timeout: 60_000 });
      statuses[`${method} ${label}`] = (await status.innerText()).trim();
      if (method === 'POST' && label === '/v1/statements') {
        const body = await block
          .locator(
            '.live-responses-table .response .highlight-code pre, .live-responses-table .response .highlight-code code',
          )
          .first()
          .innerText();
        statementId = (JSON.parse(body) as { id: string }).id;
      }
      await block.locator('.opblock-summary').first().click();
    }
    await page.screenshot({ path: join(SHOTS, 'docs.png'), fullPage: false });
    const failed = Object.entries(statuses).filter(([, status]) => !/^2\d\d\b/.test(status));
    assert.deepEqual(failed, [], JSON.stringify(statuses, null, 1));
    for (const route of ['GET /v1/datasets/events/rows', 'GET /v1/statements/{id}/result/chunks/{index}']) {
      assert.ok(statuses[route] !== undefined, Object.keys(statuses).join('\n'));
    }
    await page.close();
  });

  it('/graphiql: loads the schema and runs a query', async () => {
    const page = await open('/graphiql');
    await page.locator('.graphiql-container').waitFor();
    await page.locator('.graphiql-execute-button').click();
    const result = page.locator('.result-window');
    await result.getByText('"daily_revenue"').waitFor({ timeout: 30_000 });
    // The schema was introspected: the documentation explorer lists the typed fields.
    await page.locator('[aria-label="Show Documentation Explorer"]').click();
    await page.screenshot({ path: join(SHOTS, 'graphiql-docs.png') });
    await page.locator('.graphiql-doc-explorer-content').getByText('Query', { exact: true }).click();
    await page.getByText('eventsAggregate').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'graphiql.png') });
    await page.close();
  });

  it('asked nothing of another origin and broke no Content-Security-Policy', () => {
    assert.deepEqual(foreign, []);
    assert.deepEqual(violations, []);
  });
});
