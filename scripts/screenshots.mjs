#!/usr/bin/env node
// Writes the pictures the README shows, from the HTML reports as Chromium draws them:
//   docs/images/report-linux-6.12.png          the top of `check --format html` on Linux 6.12
//   docs/images/timeline-tdx-v7-x86-vmx.png    the seed profile's x86-vmx timeline
// Needs the build (npm ci), Debian's chromium, and fetches the 6.12 tree when missing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium } from './browser.mjs';
import { fetchKernel } from './kernels.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/cli/bin/kvm-rules.js');
const images = join(root, 'docs/images');
const work = mkdtempSync(join(tmpdir(), 'kvm-rules-screenshots-'));

/** Writes a report; exit 1 (findings) is what these reports are for. */
function report(name, ...argv) {
  const file = join(work, `${name}.html`);
  try {
    execFileSync(process.execPath, [bin, ...argv, '--format', 'html', '-o', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (error) {
    if (error.status !== 1) throw error;
  }
  return pathToFileURL(file).href;
}

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  await page.goto(report('linux-6.12', 'check', fetchKernel('6.12')));
  await page.screenshot({ path: join(images, 'report-linux-6.12.png') });
  // Tall enough that the timeline's box (90% of the window) shows it whole.
  await page.setViewportSize({ width: 1400, height: 2200 });
  await page.goto(report('tdx-v7', 'check', '--profile', 'tdx-v7'));
  await page.locator('section.arch[data-arch="x86-vmx"] figure.timeline').screenshot({ path: join(images, 'timeline-tdx-v7-x86-vmx.png') });
  for (const name of ['report-linux-6.12.png', 'timeline-tdx-v7-x86-vmx.png']) console.log(join('docs/images', name));
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
