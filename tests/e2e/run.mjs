// End-to-end tests of the web pages in headless Chromium (started by tests/e2e/run.sh):
// search, filters, pagination, documents, the dashboard, keyboard-only use, JavaScript off,
// the phone layout (390 px), pages that find nothing, a selection printed and shared, and an
// axe-core audit that must find no violation on the home, result, document and dashboard
// pages. Screenshots of the result, empty, selection and document pages at 1280 and 390 px
// are written beside $E2E_SCREENSHOT.
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

const shots = path.dirname(process.env.E2E_SCREENSHOT);

/** Saves a full-page screenshot as `${name}.png` beside the other screenshots. */
async function screenshot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/** A page in a context of the size of a phone, 390 × 844 px. */
async function phone() {
  const ctx = await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } });
  const page = await openPage(ctx);
  return { ctx, page };
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
  // A fiche older than its source allows says so, with its page on the publisher's site.
  const notice = page.locator('.document .perime');
  assert.match(await notice.textContent(), /^Mis à jour le .+ 20\d\d — vérifiez sur le site de l’éditeur$/);
  assert.match(await notice.locator('a').getAttribute('href'), /^https:\/\/www\.service-public\.fr\//);
  await page.goto(`${base}/?q=apprentissage`);
  assert.ok(await page.locator('.resultat .perime').count() > 0, 'old fiches say so in the list');
  await assertAccessible(page, 'result page with out-of-date fiches');
  await page.goto(`${base}/documents/spo/accord-cadre-spo-paca.pdf`);
  await assertAccessible(page, 'document page (PDF)');
  assert.deepEqual(page.problems, []);
});

test('a job fiche lists the certifications that lead to it and passes the audit', async () => {
  const page = await openPage();
  await page.goto(`${base}/documents/rome:D1102`);
  const headings = await page.locator('section.liens h2').allTextContents();
  assert.ok(headings.includes('Certifications et formations qui y mènent'), headings.join(' | '));
  const certification = page.locator('section.liens a[href^="/documents/rncp:"]').first();
  assert.ok(await certification.count(), 'a certification is a link');
  await assertAccessible(page, 'document page (ROME fiche with its certifications)');
  await Promise.all([page.waitForURL(/\/documents\/rncp/), certification.click()]);
  const jobs = await page.locator('section.liens a[href="/documents/rome:D1102"]').count();
  assert.ok(jobs >= 1, 'the certification links back to the job');
  await assertAccessible(page, 'document page (certification)');
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

test('at 390 px the results come first, the filters behind a disclosure', async () => {
  const { ctx, page } = await phone();
  try {
    await page.goto(`${base}/?q=apprentissage&filter=type:question-reponse`);
    const layout = await page.evaluate(() => {
      const first = document.querySelector('.resultat h3');
      return {
        firstResultBottom: first.getBoundingClientRect().bottom,
        filtersOpen: document.getElementById('filtres').open,
        filtersTop: document.getElementById('filtres').getBoundingClientRect().top,
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        chips: [...document.querySelectorAll('.puces .puce')].map((a) => a.textContent.trim()),
      };
    });
    assert.ok(layout.firstResultBottom < 844, `first result ends at ${layout.firstResultBottom} px`);
    assert.equal(layout.filtersOpen, false, 'filters are closed on a phone');
    assert.ok(layout.filtersTop > layout.firstResultBottom, 'filters come after the results');
    assert.ok(layout.overflow <= 0, `the page scrolls sideways by ${layout.overflow} px`);
    assert.deepEqual(layout.chips, ['Retirer le filtre Type de document : Question-réponse ✕']);
    await screenshot(page, 'results-390');
    await assertAccessible(page, 'result page at 390 px');
    // The link above the list opens the filters.
    await page.click('.vers-filtres a');
    assert.equal(await page.evaluate(() => document.getElementById('filtres').open), true);
    assert.ok(await page.locator('input[name="filter"][value="type:question-reponse"]').isVisible());
    // The chip removes its filter.
    await Promise.all([page.waitForURL((url) => !url.search.includes('filter')), page.click('.puce')]);
    assert.equal(await page.locator('.puce').count(), 0);
    assert.deepEqual(page.problems, []);
  } finally {
    await ctx.close();
  }
  const wide = await openPage();
  await wide.goto(`${base}/?q=apprentissage&filter=type:question-reponse`);
  assert.equal(await wide.evaluate(() => document.getElementById('filtres').open), true, 'open on a wide screen');
  await screenshot(wide, 'results-1280');
});

test('the filters disclosure works without JavaScript on a phone', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, locale: 'fr-FR', viewport: { width: 390, height: 844 } });
  try {
    const page = await openPage(ctx);
    await page.goto(`${base}/?q=apprentissage`);
    const first = await page.locator('.resultat h3').first().boundingBox();
    assert.ok(first.y + first.height < 844, 'the first result is above the fold');
    await page.click('#filtres summary');
    assert.equal(await page.evaluate(() => document.getElementById('filtres').open), false, 'the summary toggles it');
    await page.click('#filtres summary');
    await page.check('input[name="filter"][value="type:question-reponse"]');
    await Promise.all([page.waitForURL(/filter=type/), page.click('text=Appliquer les filtres')]);
    assert.equal(await page.locator('.puce').count(), 1);
  } finally {
    await ctx.close();
  }
});

test('a search that finds nothing hides what does not apply and says where to go', async () => {
  for (const width of [1280, 390]) {
    const ctx = await browser.newContext({ locale: 'fr-FR', viewport: { width, height: 844 } });
    try {
      const page = await openPage(ctx);
      await page.goto(`${base}/?q=zzkwyx+qqvbnt`);
      assert.match(await page.textContent('#titre-resultats'), /Aucun document/);
      for (const absent of ['#tri', '#filtres', '#selection', '.imprimer', '.pagination']) {
        assert.equal(await page.locator(absent).count(), 0, `${absent} is shown for nothing`);
      }
      const guidance = await page.textContent('.orientation');
      for (const place of ['un CIO', 'une Mission locale', 'un point Information Jeunesse', 'France Travail']) {
        assert.ok(guidance.includes(place), place);
      }
      assert.match(guidance, /Ce fonds documentaire compte [\d\u202f]+ documents/);
      await screenshot(page, `nothing-found-${width}`);
      await assertAccessible(page, `nothing found at ${width} px`);
      assert.deepEqual(page.problems, []);
    } finally {
      await ctx.close();
    }
  }
  // Nothing under a filter: the same words without it, and their kinds of documents.
  const page = await openPage();
  await page.goto(`${base}/?q=apprentissage&filter=langue:de`);
  const broader = page.locator('.orientation a').first();
  assert.match(await broader.textContent(), /« apprentissage » : [\d\u202f]+ documents/);
  await Promise.all([page.waitForURL((url) => !url.search.includes('filter')), broader.click()]);
  assert.ok(await page.locator('.resultat').count() > 0);
});

test('a selection of results is printed and shared as a link', async () => {
  for (const width of [1280, 390]) {
    const ctx = await browser.newContext({ locale: 'fr-FR', viewport: { width, height: 844 } });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    try {
      const page = await openPage(ctx);
      await page.goto(`${base}/?q=apprentissage`);
      const boxes = page.locator('input[name="doc"]');
      const ids = [await boxes.nth(1).getAttribute('value'), await boxes.nth(3).getAttribute('value')];
      await boxes.nth(1).check();
      await boxes.nth(3).check();
      const copy = page.locator('button[data-copier-selection]');
      assert.ok(await copy.isVisible(), 'the copy button appears with JavaScript');
      await copy.click();
      await page.waitForFunction(() => document.querySelector('#selection [role=status]').textContent.includes('copié'));
      const shared = new URL(await page.evaluate(() => navigator.clipboard.readText()));
      assert.deepEqual(shared.searchParams.getAll('doc'), ids);
      assert.equal(shared.searchParams.get('vue'), 'impression');
      await Promise.all([page.waitForURL(/vue=impression/), page.click('text=Imprimer la sélection')]);
      assert.equal(new URL(page.url()).search, shared.search, 'the printed selection is the shared link');
      assert.equal(await page.locator('.resultat').count(), 2);
      assert.match(await page.textContent('main'), /2 documents choisis/);
      await screenshot(page, `selection-${width}`);
      await assertAccessible(page, `printed selection at ${width} px`);
      // Opened by someone else, the link gives the same two documents.
      const again = await openPage(ctx);
      await again.goto(shared.href);
      assert.equal(await again.locator('.resultat').count(), 2);
      assert.deepEqual(page.problems, []);
    } finally {
      await ctx.close();
    }
  }
  // Without a choice, the print view prints the first 50 results, not one page.
  const page = await openPage();
  await page.goto(`${base}/?q=formation`);
  await Promise.all([page.waitForURL(/vue=impression/), page.click('a.imprimer')]);
  // 50 results, fewer once the fiches published for two audiences are shown as one.
  const printed = await page.locator('.resultat').count();
  assert.ok(printed > 40 && printed <= 50, `${printed} results printed`);
  assert.match(await page.textContent('main'), new RegExp(`voici les ${printed} premiers`));
});

test('a document page shows its headings with anchors, its lists and its tables', async () => {
  for (const width of [1280, 390]) {
    const ctx = await browser.newContext({ locale: 'fr-FR', viewport: { width, height: 844 } });
    try {
      const page = await openPage(ctx);
      await page.goto(`${base}/documents/rome:D1102`);
      const structure = await page.evaluate(() => {
        const text = document.querySelector('.texte');
        const headings = [...text.querySelectorAll('h3, h4')];
        return {
          headings: headings.map((h) => h.textContent.replace(/#$/, '').trim()),
          anchored: headings.every((h) => h.id && h.querySelector(`a.ancre[href="#${h.id}"]`)),
          items: text.querySelectorAll('ul > li').length,
          paragraphs: [...text.querySelectorAll('p')].map((p) => p.textContent),
          overflow: document.documentElement.scrollWidth - window.innerWidth,
        };
      });
      for (const section of ['Définition', 'Compétences', 'Métiers proches']) {
        assert.ok(structure.headings.includes(section), `${section} is a heading: ${structure.headings}`);
      }
      assert.ok(structure.anchored, 'every heading has its anchor');
      assert.ok(structure.items > 5, `${structure.items} list items`);
      assert.ok(structure.paragraphs.every((p) => !/ - /.test(p) && !/^#/.test(p)), 'no list or heading left in a paragraph');
      assert.ok(structure.overflow <= 0, `the page scrolls sideways by ${structure.overflow} px`);
      await screenshot(page, `document-${width}`);
      await assertAccessible(page, `ROME fiche at ${width} px`);
      // A section's address opens the page at that section.
      const id = await page.getAttribute('.texte h3:nth-of-type(2)', 'id');
      await page.goto(`${base}/documents/rome:D1102#${id}`);
      const top = await page.evaluate((target) => document.getElementById(target).getBoundingClientRect().top, id);
      assert.ok(top >= 0 && top < 200, `the section is at the top (${top} px)`);
      assert.deepEqual(page.problems, []);
    } finally {
      await ctx.close();
    }
  }
  // A service-public fiche: its sections are headings, its lists are lists.
  const page = await openPage();
  await page.goto(`${base}/documents/sp:particuliers/F10`);
  assert.ok(await page.locator('.texte h3').count() > 0, 'DILA sections are headings');
  assert.ok(await page.locator('.texte li').count() > 0, 'DILA lists are lists');
  await screenshot(page, 'document-dila-1280');
  await assertAccessible(page, 'DILA fiche');
});
