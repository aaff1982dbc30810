// End-to-end tests of the web pages in headless Chromium (started by tests/e2e/run.sh):
// search, filters, pagination, documents, the dashboard, keyboard-only use, JavaScript off,
// and an axe-core audit that must find no violation on the home, result, document and
// dashboard pages.
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const base = process.env.E2E_BASE_URL;
const require = createRequire(path.join(process.env.E2E_MODULES, 'noop.js'));
const { chromium } = require('playwright-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Each launch gets a fresh temporary profile from Playwright.
let browser;
let context;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.E2E_BROWSER,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
});

after(async () => {
  await browser?.close();
});

/** A new page that fails the test on any request leaving the site or any script error. */
async function openPage(ctx = context) {
  const page = await ctx.newPage();
  const problems = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(base) && !url.startsWith('data:')) problems.push(`external request ${url}`);
  });
  page.on('pageerror', (error) => problems.push(`script error ${error.message}`));
  page.problems = problems;
  return page;
}

/** Runs axe-core on the page and asserts that it reports no violation. */
async function assertAccessible(page, name) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(() => window.axe.run(document));
  const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(summary, [], `${name}: axe violations`);
  assert.ok(results.passes.length > 10, `${name}: axe ran`);
}

test('the home page passes the accessibility audit and is light', async () => {
  const page = await openPage();
  const response = await page.goto(`${base}/`);
  assert.equal(response.status(), 200);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.locator('h1').count(), 1);
  const weight = await page.evaluate(async () => {
    let bytes = document.documentElement.outerHTML.length;
    for (const url of ['/static/site.css', '/static/site.js']) bytes += (await (await fetch(url)).text()).length;
    return bytes;
  });
  assert.ok(weight < 50 * 1024, `home page, CSS and JS weigh ${weight} bytes`);
  await assertAccessible(page, 'home page');
  assert.deepEqual(page.problems, []);
});

test('keyboard only: skip link, search, results, focus always visible', async () => {
  const page = await openPage();
  await page.goto(`${base}/`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Aller au contenu');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'contenu');
  let reachedSearch = false;
  for (let i = 0; i < 5 && !reachedSearch; i += 1) {
    await page.keyboard.press('Tab');
    reachedSearch = await page.evaluate(() => document.activeElement.id === 'q');
  }
  assert.ok(reachedSearch, 'the search box is reached with Tab');
  await page.keyboard.type('contrat d\'apprentissage');
  await Promise.all([page.waitForURL(/q=contrat/), page.keyboard.press('Enter')]);
  assert.match(await page.textContent('#titre-resultats'), /documents trouvés/);
  const outlines = [];
  for (let i = 0; i < 12; i += 1) {
    await page.keyboard.press('Tab');
    outlines.push(await page.evaluate(() => {
      const e = document.activeElement;
      const style = getComputedStyle(e);
      return `${e.tagName}#${e.id}:${style.outlineStyle}`;
    }));
  }
  for (const outline of outlines) assert.match(outline, /:solid$/, `focus visible on ${outline}`);
  assert.deepEqual(page.problems, []);
});

test('search, filter without reload, paginate and open a document', async () => {
  const page = await openPage();
  await page.goto(`${base}/?q=apprentissage`);
  const total = await page.textContent('#titre-resultats');
  assert.match(total, /documents trouvés/);
  assert.ok(await page.locator('.resultat mark').count() > 0, 'snippets are highlighted');
  assert.equal(await page.locator('.resultat').count(), 10);

  await page.evaluate(() => { window.notReloaded = true; });
  const filter = page.locator('input[name="filter"][value="type:question-reponse"]');
  await filter.focus();
  await Promise.all([page.waitForURL(/filter=type%3Aquestion-reponse|filter=type:question-reponse/), page.keyboard.press('Space')]);
  await page.waitForFunction(() => document.getElementById('annonce').textContent.length > 0);
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'filtering did not reload the page');
  assert.ok(await page.locator('input[name="filter"][value="type:question-reponse"]').isChecked());
  const kinds = await page.locator('.resultat .meta dd:nth-of-type(1)').allTextContents();
  assert.ok(kinds.length > 0 && kinds.every((kind) => kind === 'Question-réponse'), kinds.join());

  await page.goto(`${base}/?q=apprentissage`);
  await Promise.all([page.waitForURL(/page=2/), page.click('a[rel="next"]')]);
  assert.equal(await page.getAttribute('ol.liste', 'start'), '11');
  assert.equal(await page.getAttribute('[aria-current="page"]', 'href'), new URL(page.url()).pathname + new URL(page.url()).search);

  await page.screenshot({ path: process.env.E2E_SCREENSHOT, fullPage: true });

  const first = page.locator('.resultat h3 a').first();
  const title = (await first.textContent()).trim();
  await Promise.all([page.waitForURL(/\/documents\//), first.click()]);
  assert.equal((await page.textContent('h1')).trim(), title);
  assert.ok(await page.locator('.fiche dt').count() >= 5, 'metadata are listed');
  const copy = page.locator('button[data-copier]');
  assert.ok(await copy.isVisible(), 'the copy button appears with JavaScript');
  await copy.click();
  await page.waitForFunction(() => document.querySelector('.partage [role=status]').textContent.includes('copié'));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), page.url());
  assert.deepEqual(page.problems, []);
});

test('suggestions appear as you type', async () => {
  const page = await openPage();
  await page.goto(`${base}/`);
  await page.fill('#q', '');
  await page.type('#q', 'boulan', { delay: 30 });
  await page.waitForFunction(() => document.querySelectorAll('#suggestions option').length > 0);
  const first = await page.getAttribute('#suggestions option', 'value');
  assert.match(first.toLowerCase(), /boulan/);
});

test('the result page and a document page pass the accessibility audit', async () => {
  const page = await openPage();
  await page.goto(`${base}/?q=formation&filter=type:fiche-metier`);
  await assertAccessible(page, 'result page');
  await page.goto(`${base}/?q=apprentissage&vue=impression`);
  await assertAccessible(page, 'print view');
  await page.goto(`${base}/documents/sp:particuliers/F10`);
  await assertAccessible(page, 'document page (DILA)');
  await page.goto(`${base}/documents/spo/accord-cadre-spo-paca.pdf`);
  await assertAccessible(page, 'document page (PDF)');
  assert.deepEqual(page.problems, []);
});

test('everything works with JavaScript off', async () => {
  const noScript = await browser.newContext({ javaScriptEnabled: false, locale: 'fr-FR' });
  try {
    const page = await openPage(noScript);
    await page.goto(`${base}/`);
    await page.fill('#q', 'apprentissage');
    await Promise.all([page.waitForURL(/q=apprentissage/), page.click('form#recherche button[type=submit]')]);
    assert.match(await page.textContent('#titre-resultats'), /documents trouvés/);
    await page.check('input[name="filter"][value="type:question-reponse"]');
    await Promise.all([page.waitForURL(/filter=type/), page.click('text=Appliquer les filtres')]);
    assert.ok(await page.locator('input[name="filter"][value="type:question-reponse"]').isChecked());
    await page.selectOption('#tri', 'date');
    await Promise.all([page.waitForURL(/sort=date/), page.click('button:has-text("Trier")')]);
    await Promise.all([page.waitForURL(/\/documents\//), page.locator('.resultat h3 a').first().click()]);
    assert.ok(await page.locator('#lien').inputValue(), 'the link to copy is shown');
    assert.equal(await page.locator('button[data-copier]').isVisible(), false);
  } finally {
    await noScript.close();
  }
});

test('the dashboard is accessible, readable at 390 px, and every chart has its table', async () => {
  const page = await openPage();
  await page.goto(`${base}/?q=apprentissage&filter=type:fiche-droits`);
  await page.goto(`${base}/documents/sp:particuliers/F10`);
  const response = await page.goto(`${base}/tableau-de-bord`);
  assert.equal(response.status(), 200);
  assert.equal(await page.locator('h1').count(), 1);
  await assertAccessible(page, 'dashboard');
  const charts = await page.evaluate(() => [...document.querySelectorAll('svg.graphique')].map((svg) => {
    const section = svg.closest('section.indicateur');
    const table = section ? section.querySelector('table') : null;
    const follows = table ? Boolean(svg.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING) : false;
    const name = (svg.getAttribute('aria-labelledby') || '').split(' ')
      .map((id) => document.getElementById(id)?.textContent || '').join(' ').trim();
    return { id: section ? section.id : '?', follows, name, rows: table ? table.tBodies[0].rows.length : 0 };
  }));
  assert.ok(charts.length >= 4, `${charts.length} charts`);
  for (const chart of charts) {
    assert.ok(chart.follows && chart.rows > 0, `${chart.id}: a chart without its table`);
    assert.ok(chart.name.length > 10, `${chart.id}: the chart has no accessible name`);
  }
  const csv = page.locator('#recherches a', { hasText: 'CSV' });
  const exported = await page.request.get(new URL(await csv.getAttribute('href'), base).href);
  assert.equal(exported.status(), 200);
  assert.match(exported.headers()['content-type'], /^text\/csv/);
  assert.deepEqual(page.problems, []);

  const narrow = await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } });
  try {
    const small = await openPage(narrow);
    await small.goto(`${base}/tableau-de-bord`);
    const layout = await small.evaluate(() => {
      const visible = (e) => getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().width > 0;
      const texts = [...document.querySelectorAll('p, li, a, label, h1, h2, h3, th, td, button, input')].filter(visible);
      const chartTexts = [...document.querySelectorAll('svg.graphique text')].filter(visible);
      return {
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        smallestText: Math.min(...texts.map((e) => parseFloat(getComputedStyle(e).fontSize))),
        smallestChartText: Math.min(...chartTexts.map((t) => t.getBoundingClientRect().height)),
        chartsFit: [...document.querySelectorAll('svg.graphique')].every((s) => s.getBoundingClientRect().right <= window.innerWidth),
      };
    });
    assert.ok(layout.overflow <= 0, `the page scrolls sideways by ${layout.overflow} px`);
    assert.ok(layout.smallestText >= 14, `text of ${layout.smallestText} px`);
    assert.ok(layout.smallestChartText >= 12, `chart text of ${layout.smallestChartText} px`);
    assert.ok(layout.chartsFit, 'a chart is wider than the screen');
    await assertAccessible(small, 'dashboard at 390 px');
    assert.deepEqual(small.problems, []);
  } finally {
    await narrow.close();
  }
});

test('the dashboard\'s period is chosen without JavaScript', async () => {
  const noScript = await browser.newContext({ javaScriptEnabled: false, locale: 'fr-FR' });
  try {
    const page = await openPage(noScript);
    await page.goto(`${base}/tableau-de-bord`);
    await page.fill('#du', '2025-01-01');
    await page.fill('#au', '2025-01-31');
    await Promise.all([page.waitForURL(/du=2025-01-01/), page.click('form.periode button[type=submit]')]);
    assert.match(await page.textContent('main'), /du 1er janvier 2025 au 31 janvier 2025, jour par jour/);
    assert.equal(await page.locator('#recherches tbody tr').count(), 31);
    await Promise.all([page.waitForURL(/tableau-de-bord$/), page.click('text=Les 12 derniers mois')]);
    assert.equal(await page.locator('#recherches tbody tr').count(), 12);
  } finally {
    await noScript.close();
  }
});
