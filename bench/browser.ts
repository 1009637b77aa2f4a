/*
 * The network page in Debian's Chromium (Playwright, /usr/bin/chromium, headless).
 *
 * Time to interactive: from navigation start (performance.timeOrigin of the page) until the
 * peers table has rows AND the "Search by IP or name" box takes input: a probe value, set
 * the way typing sets it, is committed by React into the element's props (then removed
 * before the table's debounced search could fire). Checked every 5 ms by a script
 * installed before the page's own. Each load is in a fresh browser context: an empty
 * cache, like a first visit.
 *
 * Search: inside the page, the box gets the query (native value setter + an `input`
 * event, what typing does), then the time until the table shows only rows containing the
 * query, the expected host among them (a MutationObserver, checked on every DOM change).
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import type { Session } from './http';

const searchBox = 'input[placeholder="Search by IP or name"]';
const rowsSelector = '[data-testid="peers-table"] tbody tr';

export type Search = { query: string; expectIp: string };
/** A search: total, and its parts from the page's resource timing of the request the table made. */
export type SearchFigure = { query: string; ms: number; beforeRequest: number; request: number; afterResponse: number };
export type BrowserFigures = { tti: number[]; nav: { responseEnd: number; domContentLoaded: number; load: number }[]; searches: SearchFigure[] };

declare global {
  interface Window { __benchTti?: number }
}

export async function measureBrowser(opts: {
  base: string; path: string; session: Session; loads: number; searches: Search[]; executablePath: string;
}): Promise<BrowserFigures> {
  let browser: Browser | null = null;
  const out: BrowserFigures = { tti: [], nav: [], searches: [] };
  try {
    browser = await chromium.launch({ executablePath: opts.executablePath, headless: true, args: ['--disable-gpu'] });
    for (let i = 0; i < opts.loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      try {
        await context.addCookies([{ name: opts.session.name, value: opts.session.value, url: opts.base }]);
        const page = await context.newPage();
        // tsx (esbuild keepNames) wraps named functions in __name(); the page has none.
        await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
        await page.addInitScript(({ box, rows }) => {
          // Interactive = the table has rows and typing into the box reaches the component: a
          // probe value set like typing does is committed by React (its props for the element
          // carry it), then taken back out before the table's search would fire.
          const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
          const timer = setInterval(() => {
            const input = document.querySelector(box) as HTMLInputElement | null;
            const propsKey = input && Object.keys(input).find((k) => k.startsWith('__reactProps'));
            if (!input || !propsKey || document.querySelectorAll(rows).length === 0) return;
            const props = () => (input as unknown as Record<string, { value?: string }>)[propsKey];
            setValue.call(input, '~');
            input.dispatchEvent(new Event('input', { bubbles: true }));
            const accepted = props().value === '~';
            setValue.call(input, '');
            input.dispatchEvent(new Event('input', { bubbles: true }));
            if (accepted && props().value === '') {
              window.__benchTti = performance.now();
              clearInterval(timer);
            }
          }, 5);
        }, { box: searchBox, rows: rowsSelector });
        await page.goto(`${opts.base}${opts.path}`, { waitUntil: 'commit', timeout: 60_000 });
        const tti = await (await page.waitForFunction(() => window.__benchTti, null, { timeout: 60_000, polling: 50 })).jsonValue();
        out.tti.push(tti as number);
        await page.waitForLoadState('load', { timeout: 60_000 });
        out.nav.push(await page.evaluate(() => {
          const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
          return { responseEnd: n.responseEnd, domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd };
        }));
        if (i === opts.loads - 1) {
          for (const s of opts.searches) out.searches.push(await search(page, s));
        }
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser?.close();
  }
  return out;
}

async function search(page: Page, s: Search): Promise<SearchFigure> {
  const figure = await page.evaluate(({ box, rows, query, expectIp }) => new Promise<SearchFigure>((resolve, reject) => {
    const input = document.querySelector(box) as HTMLInputElement;
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    const shown = () => {
      const list = [...document.querySelectorAll(rows)];
      return list.length > 0 && list.every((r) => (r.textContent ?? '').includes(query)) && list.some((r) => r.getAttribute('data-peer-ip') === expectIp);
    };
    let t0 = 0;
    const observer = new MutationObserver(() => { try { check(); } catch (e) { observer.disconnect(); clearTimeout(timer); reject(e); } });
    const check = () => {
      if (!shown()) return;
      const t1 = performance.now();
      observer.disconnect();
      clearTimeout(timer);
      const wanted = `q=${encodeURIComponent(query)}`;
      const req = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .filter((e) => e.startTime >= t0 && e.name.includes(wanted)).pop();
      resolve({
        query, ms: t1 - t0,
        beforeRequest: req ? req.startTime - t0 : NaN,
        request: req ? req.responseEnd - req.startTime : NaN,
        afterResponse: req ? t1 - req.responseEnd : NaN,
      });
    };
    const timer = setTimeout(() => {
      observer.disconnect();
      const list = [...document.querySelectorAll(rows)];
      reject(new Error(`search "${query}" did not show ${expectIp} within 15 s: the box holds "${input.value}", the table ${list.length} rows, `
        + `the first ${JSON.stringify(list[0]?.textContent?.slice(0, 120) ?? null)}`));
    }, 15_000);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
    t0 = performance.now();
    setValue.call(input, query);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }), { box: searchBox, rows: rowsSelector, query: s.query, expectIp: s.expectIp });
  // Back to the unfiltered first page before the next search (not timed).
  await page.fill(searchBox, '');
  await page.waitForFunction(({ rows }) => document.querySelectorAll(rows).length >= 50, { rows: rowsSelector }, { timeout: 15_000 });
  return figure;
}
