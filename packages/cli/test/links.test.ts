// Where reports link: the https addresses read from package.json's repository and homepage, the
// configuration's docsBaseUrl, a plugin package's own repository, and never a file:// path.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { docsBase, fileUrl, homepageOf, links, repositoryOf } from '../src/formatters/links.js';
import type { RuleInfo } from '../src/formatters/index.js';
import { run } from './run.js';

const rule = (docs: string): RuleInfo => ({ id: 'kvm-init-last', summary: '', severity: 'warning', docs, kind: 'kvm-init-last', description: '' });

describe('repositoryOf', () => {
  it.each([
    ['git+https://github.com/kvm-rules/kvm-rules.git', 'https://github.com/kvm-rules/kvm-rules'],
    ['https://github.com/kvm-rules/kvm-rules', 'https://github.com/kvm-rules/kvm-rules'],
    ['https://github.com/kvm-rules/kvm-rules/', 'https://github.com/kvm-rules/kvm-rules'],
    ['git@github.com:kvm-rules/kvm-rules.git', 'https://github.com/kvm-rules/kvm-rules'],
    ['ssh://git@gitlab.com/group/kvm-rules.git', 'https://gitlab.com/group/kvm-rules'],
    ['git://github.com/kvm-rules/kvm-rules.git', 'https://github.com/kvm-rules/kvm-rules'],
    ['kvm-rules/kvm-rules', 'https://github.com/kvm-rules/kvm-rules'],
    ['github:kvm-rules/kvm-rules', 'https://github.com/kvm-rules/kvm-rules'],
    ['gitlab:group/kvm-rules', 'https://gitlab.com/group/kvm-rules'],
    ['https://user:secret@github.com/kvm-rules/kvm-rules.git?x=1#readme', 'https://github.com/kvm-rules/kvm-rules'],
  ])('%s is %s', (spec, url) => {
    expect(repositoryOf({ repository: spec })).toEqual({ url, directory: '' });
    expect(repositoryOf({ repository: { type: 'git', url: spec, directory: '/packages/cli/' } })).toEqual({ url, directory: 'packages/cli' });
  });

  it.each(['file:///work/main', '/work/main', 'http://github.com/a/b', 'not a url at all', ''])('%j is no repository on the web', (spec) => {
    expect(repositoryOf({ repository: spec })).toBeUndefined();
  });

  it("falls back on a GitHub-style homepage (npm's default, with #readme), but not on any homepage", () => {
    expect(repositoryOf({ homepage: 'https://github.com/kvm-rules/kvm-rules#readme' })).toEqual({
      url: 'https://github.com/kvm-rules/kvm-rules',
      directory: '',
    });
    expect(repositoryOf({ homepage: 'https://kvm-rules.example.org/' })).toBeUndefined();
    expect(homepageOf({ homepage: 'https://kvm-rules.example.org/' })).toBe('https://kvm-rules.example.org');
    expect(homepageOf({ repository: 'git+https://github.com/kvm-rules/kvm-rules.git' })).toBe('https://github.com/kvm-rules/kvm-rules');
    expect(homepageOf({ homepage: 'file:///work/main/README.md' })).toBeUndefined();
  });

  it('a file of the repository is on its default branch; a docsBaseUrl is a folder', () => {
    expect(fileUrl({ url: 'https://github.com/a/b', directory: 'rules' }, 'docs/rules/x y.md')).toBe(
      'https://github.com/a/b/blob/HEAD/rules/docs/rules/x%20y.md',
    );
    expect(docsBase('https://docs.example.org/rules')).toBe('https://docs.example.org/rules/');
    expect(docsBase('https://docs.example.org/rules/')).toBe('https://docs.example.org/rules/');
    expect(docsBase('file:///work/main/rules/docs/rules/')).toBeUndefined();
  });
});

describe('links', () => {
  const own = { repository: { type: 'git', url: 'git+https://github.com/kvm-rules/kvm-rules.git', directory: 'packages/cli' } };
  // The default rule set's pages are in the checkout's rules/, whatever the working directory.
  const page = join(import.meta.dirname, '../../../rules/docs/rules/kvm-init-last.md');

  it("the default rule set's pages are in kvm-rules' repository, under rules/, whatever folder the CLI has in it", () => {
    expect(links(undefined, own).rule(rule(page))).toBe('https://github.com/kvm-rules/kvm-rules/blob/HEAD/rules/docs/rules/kvm-init-last.md');
    expect(links(undefined, own).home).toBe('https://github.com/kvm-rules/kvm-rules');
  });

  it('docsBaseUrl moves them; a CLI package that says nothing gives no link at all', () => {
    expect(links('https://docs.example.org/kvm-rules/rules', own).rule(rule(page))).toBe('https://docs.example.org/kvm-rules/rules/kvm-init-last.md');
    expect(links(undefined, {}).rule(rule(page))).toBeUndefined();
    expect(links(undefined, {}).home).toBeUndefined();
    expect(links(undefined, own).rule(rule(''))).toBeUndefined();
  });

  it("a plugin package's kinds link to its own repository, or nowhere", () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-links-'));
    mkdirSync(join(dir, 'docs/rules'), { recursive: true });
    writeFileSync(join(dir, 'docs/rules/vendor-rule.md'), '# vendor-rule\n');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'kvm-rules-plugin-vendor', repository: 'github:vendor/kvm-rules-plugin-vendor' }));
    expect(links('https://docs.example.org/', own).rule(rule(join(dir, 'docs/rules/vendor-rule.md')))).toBe(
      'https://github.com/vendor/kvm-rules-plugin-vendor/blob/HEAD/docs/rules/vendor-rule.md',
    );
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'kvm-rules-plugin-vendor' }));
    expect(links(undefined, own).rule(rule(join(dir, 'docs/rules/vendor-rule.md')))).toBeUndefined();
  });
});

describe('docsBaseUrl in the configuration', () => {
  const config = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-docs-url-'));
    const file = join(dir, 'kvm-rules.config.yaml');
    writeFileSync(file, text);
    return file;
  };

  it('sarif and mail link the rule pages there; --print-config shows it', async () => {
    const file = config('docsBaseUrl: https://docs.example.org/kvm-rules/rules/\n');
    const sarif = await run('check', '--config', file, '--profile', 'tdx-v7', '--arch', 'mips', '--format', 'sarif');
    const log = JSON.parse(sarif.stdout) as Log;
    const rules = log.runs[0]!.tool.driver.rules ?? [];
    expect(rules.find((r) => r.id === 'kvm-init-last')?.helpUri).toBe('https://docs.example.org/kvm-rules/rules/kvm-init-last.md');
    expect(rules.find((r) => r.id === 'source-unreadable')?.helpUri).toBe('https://docs.example.org/kvm-rules/rules/source-analysis.md');
    const mail = await run('check', '--config', file, '--profile', 'tdx-v7', '--arch', 'mips', '--format', 'mail');
    expect(mail.stdout).toContain('    Docs:  https://docs.example.org/kvm-rules/rules/kvm-init-last.md\n');
    const printed = await run('check', '--config', file, '--print-config');
    expect(JSON.parse(printed.stdout)).toMatchObject({ docsBaseUrl: 'https://docs.example.org/kvm-rules/rules/' });
  });

  it('a file:// URL is bad input, at its place in the file', async () => {
    const file = config('profile: tdx-v7\ndocsBaseUrl: file:///work/main/rules/docs/rules/\n');
    const { code, stderr } = await run('check', '--config', file);
    expect(code).toBe(2);
    expect(stderr).toBe(`kvm-rules: ${file}:2:14: /docsBaseUrl: "docsBaseUrl" is not valid here (must match ^https?://[^/\\s]+)\n`);
  });
});
