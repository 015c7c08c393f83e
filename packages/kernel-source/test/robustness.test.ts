// Bad C never crashes the analysis: fixture files cut and scrambled at random (a seeded generator,
// so a failure can be replayed) give findings or source problems, never an exception.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32 as random } from '../../../scripts/random.mjs';
import { checkKernel, copyFixture } from './helpers.js';

function cFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? cFiles(path) : name.endsWith('.c') ? [path] : [];
  });
}

/** Drops, duplicates or truncates a few lines: braces go missing, statements break in half. */
function scramble(text: string, next: () => number): string {
  const lines = text.split('\n');
  for (let edits = 1 + Math.floor(next() * 4); edits > 0; edits--) {
    const at = Math.floor(next() * lines.length);
    const pick = next();
    if (pick < 0.4) lines.splice(at, 1);
    else if (pick < 0.7) lines.splice(at, 0, lines[Math.floor(next() * lines.length)] ?? '');
    else lines[at] = (lines[at] ?? '').slice(0, Math.floor(next() * (lines[at]?.length ?? 0)));
  }
  return lines.join('\n');
}

describe('scrambled C', () => {
  it.each(Array.from({ length: 24 }, (_, seed) => seed + 1))('seed %i: late-percpu with its arch files scrambled still gives an answer', async (seed) => {
    const next = random(seed);
    const dir = copyFixture('late-percpu');
    for (const file of cFiles(join(dir, 'arch'))) writeFileSync(file, scramble(readFileSync(file, 'utf8'), next));
    const { findings, analysis } = await checkKernel(dir, { plugins: [join(dir, 'plugin.yaml')], archs: ['demo-vmx'] });
    expect(analysis.plugins.map((p) => p.id)).toEqual(['demo-vmx']);
    for (const finding of findings) expect(finding.location?.file, finding.message).toBeTruthy();
  });
});
