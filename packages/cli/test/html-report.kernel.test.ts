// The HTML reports looked at as a user does, in Debian's Chromium (scripts/browser.mjs): the
// 6.12 tree's report, the seed profile's, and a review of the 6.1 series. Every finding there,
// the filters hiding and showing, a place's link landing on its source excerpt, the timelines
// drawn with nonzero size and their red paths, and no console errors.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../scripts/browser.mjs';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import { seriesRepo } from './fixtures/review/git-series.js';
import { run } from './run.js';

interface JsonFinding {
  ruleId: string;
  arch: string;
  severity: string;
  message: string;
}

let browser: Browser;
let work = '';

/** The report at `file`, opened; what the page says on its console as errors is collected. */
async function open(file: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  // Nothing is fetched when a report is viewed: any request but the file itself fails the test.
  page.on('request', (request) => {
    if (request.url() !== pathToFileURL(file).href) errors.push(`fetched ${request.url()}`);
  });
  await page.goto(pathToFileURL(file).href);
  return { page, errors };
}

async function report(name: string, ...argv: string[]): Promise<{ file: string; findings: JsonFinding[] }> {
  const file = join(work, `${name}.html`);
  const html = await run(...argv, '--format', 'html', '-o', file);
  if (html.code === 2) throw new Error(html.stderr);
  const json = await run(...argv, '--format', 'json');
  return { file, findings: (JSON.parse(json.stdout) as { findings: JsonFinding[] }).findings };
}

const visible = (page: Page) => page.locator('article.finding:visible');

beforeAll(async () => {
  browser = await launchChromium();
  const series = seriesRepo(fetchKernel('6.1'));
  work = series.work;
  writeFileSync(join(work, 'series4.mbox'), series.git('format-patch', '--stdout', 'HEAD~4..HEAD'));
}, 300_000);

afterAll(async () => {
  await browser.close();
});

describe('check --format html on Linux 6.12', () => {
  let file = '';
  let findings: JsonFinding[] = [];

  beforeAll(async () => {
    ({ file, findings } = await report('linux-6.12', 'check', fetchKernel('6.12')));
  }, 120_000);

  it('is one file under 1 MB holding every finding, with no console errors and nothing fetched', async () => {
    expect(statSync(file).size).toBeLessThan(1024 * 1024);
    const { page, errors } = await open(file);
    expect(findings.length).toBeGreaterThan(0);
    const shown = await page
      .locator('article.finding')
      .evaluateAll((cards) =>
        cards.map(
          (card) => `${card.getAttribute('data-arch') ?? ''} ${card.getAttribute('data-rule') ?? ''} ${card.querySelector('.message')?.textContent ?? ''}`,
        ),
      );
    expect(shown.sort()).toEqual(findings.map((f) => `${f.arch} ${f.ruleId} ${f.message}`).sort());
    await expect.poll(() => page.locator('#shown').textContent()).toBe(`showing all ${findings.length}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the filters hide and show: warnings off leaves the errors; an arch off hides its section', async () => {
    const { page } = await open(file);
    const errors = findings.filter((f) => f.severity === 'error').length;
    await page.locator('input[data-filter="severity"][value="warning"]').uncheck();
    expect(await visible(page).count()).toBe(errors);
    expect(await page.locator('#shown').textContent()).toBe(`showing ${errors} of ${findings.length}`);
    await page.locator('input[data-filter="severity"][value="warning"]').check();
    expect(await visible(page).count()).toBe(findings.length);
    const arch = findings[0]?.arch ?? '';
    await page.locator(`input[data-filter="arch"][value="${arch}"]`).uncheck();
    expect(await page.locator(`section.arch[data-arch="${arch}"]`).isVisible()).toBe(false);
    expect(await visible(page).count()).toBe(findings.filter((f) => f.arch !== arch).length);
    await page.close();
  });

  it("a place's link opens and lands on the excerpt of its source line, read from the tree", async () => {
    const { page } = await open(file);
    const link = page.locator('article.finding a.place').first();
    const [place, target] = await Promise.all([link.textContent(), link.getAttribute('href')]);
    assert(place && target, 'a place links somewhere');
    // The excerpt is under the finding, closed until its link is followed.
    const excerpt = page.locator(`article.finding ${target}`);
    expect(await excerpt.evaluate((details: HTMLDetailsElement) => details.open)).toBe(false);
    await link.click();
    expect(await page.evaluate(() => location.hash)).toBe(target);
    expect(await excerpt.evaluate((details: HTMLDetailsElement) => details.open)).toBe(true);
    await expect.poll(() => excerpt.locator('pre').isVisible()).toBe(true);
    // In view, below the filters that stay at the top.
    const [top, below] = await Promise.all([
      excerpt.evaluate((element) => element.getBoundingClientRect().top),
      page.locator('nav.filters').evaluate((nav) => nav.getBoundingClientRect().bottom),
    ]);
    expect(top).toBeGreaterThanOrEqual(below);
    expect(top).toBeLessThan(await page.evaluate(() => window.innerHeight));
    // The place's line, as the tree has it, is the excerpt's marked line.
    const [path = '', line = ''] = place.split(':');
    const source = readFileSync(join(fetchKernel('6.12'), path), 'utf8').split('\n')[Number(line) - 1] ?? '';
    expect(await excerpt.locator('span.here').textContent()).toBe(`${line}${source}`);
    await page.close();
  });

  it('every timeline is drawn with nonzero size; pointing at a finding lights its red path', async () => {
    const { page } = await open(file);
    const sizes = await page.locator('figure.timeline svg').evaluateAll((svgs) => svgs.map((svg) => svg.getBoundingClientRect()));
    expect(sizes.length).toBeGreaterThanOrEqual(new Set(findings.map((f) => f.arch)).size - 1);
    for (const size of sizes) expect(size.width * size.height).toBeGreaterThan(0);
    // A generic finding is drawn on kvm_init() alone: kvm_init_debug, the step whose setup is left
    // behind, and the steps whose failure does not undo it, in red; the steps between them not.
    const step = async (name: string) =>
      page.locator('section.arch[data-arch="generic"] figure.timeline svg g.node', { hasText: name }).first().locator('polygon').getAttribute('stroke');
    for (const name of ['kvm_init_debug', 'kvm_vfio_ops_init', 'kvm_init_virtualization']) expect(await step(name), name).toBe('#cc0000');
    expect(await step('kvm_gmem_init')).not.toBe('#cc0000');
    const card = page.locator('article.finding[data-rule="kvm-init-last"]').first();
    const id = (await card.getAttribute('id')) ?? '';
    const red = page.locator(`figure.timeline svg g.${id}`);
    expect(await red.count()).toBeGreaterThan(1);
    expect(await red.first().locator('[stroke="#cc0000"]').count()).toBeGreaterThan(0);
    await card.hover();
    expect(await page.locator(`figure.timeline svg g.${id}.focus`).count()).toBe(await red.count());
    await page.close();
  });
});

describe('check --profile tdx-v7 --format html (the seed)', () => {
  it("x86-vmx's timeline: hardware_disable run in kvm_init() before the lists' INIT_LIST_HEAD(), in red, the edge naming loaded_vmcss_on_cpu", async () => {
    const { file } = await report('tdx-v7', 'check', '--profile', 'tdx-v7');
    const { page, errors } = await open(file);
    const svg = page.locator('section.arch[data-arch="x86-vmx"] figure.timeline svg');
    const node = (text: string) => svg.locator('g.node', { hasText: text });
    const disable = node('hook kvm_arch_hardware_disable() on each online CPU → vmx_hardware_disable()').last();
    const lists = node('INIT_LIST_HEAD()');
    const [hook, init] = await Promise.all([disable.boundingBox(), lists.boundingBox()]);
    assert(hook && init, 'both drawn');
    // Top to bottom is time: the hook runs above (before) the lists it reads are set up.
    expect(hook.y).toBeLessThan(init.y);
    for (const drawn of [disable, lists]) expect(await drawn.locator('polygon').getAttribute('stroke')).toBe('#cc0000');
    const edge = svg.locator('g.edge.path', { hasText: 'reads loaded_vmcss_on_cpu, initialized only here' });
    expect(await edge.locator('path').getAttribute('stroke')).toBe('#cc0000');
    expect(await svg.locator('g.cluster', { hasText: 'kvm_init()' }).count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('review --format html of the 6.1 series', () => {
  it('each patch: its findings, and the timelines before and after side by side with what moved marked', async () => {
    const file = join(work, 'review.html');
    const { code, stderr } = await run('review', join(work, 'series4.mbox'), '--kernel', fetchKernel('6.1'), '--format', 'html', '-o', file);
    expect(code, stderr).toBe(1);
    const { page, errors } = await open(file);
    const patch = (n: number) => page.locator(`section.patch#patch-${n}`);
    // 1/4 moves VMX's list init after kvm_init(): moved, in both pictures.
    for (const side of ['before', 'after'])
      expect(await patch(1).locator(`.side-by-side .${side} g.node.moved`, { hasText: 'INIT_LIST_HEAD()' }).count()).toBe(1);
    expect(await patch(1).locator('article.finding .note').first().textContent()).toBe('fixed later by 4/4');
    // 3/4 replaces the compat check's step with hardware enabling: removed before, added after.
    const vmx = patch(3).locator('.side-by-side').first();
    expect(await vmx.locator('.before g.node.removed', { hasText: 'smp_call_function_single' }).count()).toBe(1);
    expect(await vmx.locator('.after g.node.added', { hasText: 'hardware_enable_all' }).count()).toBe(1);
    expect(await patch(2).locator('.side-by-side').count()).toBe(0);
    const sizes = await page.locator('.side-by-side svg').evaluateAll((svgs) => svgs.map((svg) => svg.getBoundingClientRect().width));
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
