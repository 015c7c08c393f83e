// The HTML report's text, without a browser (html-report.kernel.test.ts looks at it in one):
// what a finding says is escaped wherever it lands, element ids are unique, every place links to
// an excerpt that exists, and the page is the same for the same check.
import { describe, expect, it } from 'vitest';
import { summarize, type Finding } from '@kvm-rules/core';
import type { CheckResult } from '../src/formatters/index.js';
import { loadProject } from '../src/project.js';
import { htmlReport } from '../src/report/html.js';

async function seedReport(edit: (findings: Finding[]) => Finding[] = (findings) => findings): Promise<string> {
  const project = await loadProject();
  const outcome = await project.check({ profile: 'tdx-v7' });
  const findings = edit(outcome.findings);
  const result: CheckResult = {
    profile: outcome.profile.id,
    archs: outcome.plugins.map((p) => p.id),
    findings,
    summary: summarize(findings),
    variants: {},
  };
  return htmlReport({ result, model: outcome });
}

describe('check --format html, as text', () => {
  it('escapes what findings say', async () => {
    const hostile = '<script>alert("x")</script> & \'quoted\'';
    const html = await seedReport((findings) => findings.map((f) => ({ ...f, message: `${f.message} ${hostile}` })));
    // The page's own script is its only one.
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
  });

  it('has unique ids, and every place it links has its excerpt under the same finding', async () => {
    const html = await seedReport();
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    const cards = html.split('<article ').slice(1);
    expect(cards).toHaveLength(7);
    for (const card of cards) {
      const links = [...card.matchAll(/<a class="place" href="#([^"]+)">/g)].map((m) => m[1]);
      expect(links.length).toBeGreaterThan(0);
      for (const id of links) expect(card).toContain(`<details class="excerpt" id="${id}">`);
    }
    // The seed's error: its excerpt is the plugin's line it points at (the hook's read), marked.
    expect(html).toMatch(/<span class="here"><i>\d+<\/i>\s+- \{ state: loaded_vmcss_on_cpu, via: \[vmclear_local_loaded_vmcss\] \}<\/span>/);
  });

  it('is the same page for the same check', async () => {
    expect(await seedReport()).toBe(await seedReport());
  });
});
