// Reading a series as mail: mboxes with a cover letter, CRLF, mboxrd quoting and encoded
// headers; a folder of patch files; diffs with renames, binary parts and hunks whose lines are
// found again in the mail. The C is our own, in the kernel's style.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assert, describe, expect, it } from 'vitest';
import { readMessages } from '../src/review/mbox.js';
import { diffOf, numberOf, titleOf } from '../src/review/patch.js';
import { readSeries } from '../src/review/series.js';

function patchMail(n: number, total: number, subject: string, diff: string, id = `${n}@example.org`): string {
  return [
    'From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001',
    'From: =?UTF-8?q?J=C3=B6rg=20Hacker?= <joerg@example.org>',
    'Date: Mon, 27 Jun 2022 14:52:00 -0700',
    `Subject: [PATCH v2 ${n}/${total}] ${subject}`,
    `Message-Id: <${id}>`,
    '',
    'Why the change is right.',
    '',
    '>From the list: this line was quoted by the mbox.',
    '---',
    ' virt/kvm/demo.c | 3 ++-',
    '',
    diff,
    '-- ',
    '2.39.2',
    '',
  ].join('\n');
}

const DEMO_DIFF = [
  'diff --git a/virt/kvm/demo.c b/virt/kvm/demo.c',
  'index 1111111..2222222 100644',
  '--- a/virt/kvm/demo.c',
  '+++ b/virt/kvm/demo.c',
  '@@ -10,6 +10,7 @@ static int demo_init(void)',
  ' \tint r;',
  ' ',
  '-\tr = demo_setup();',
  '+\tdemo_lists_init();',
  '+\tr = demo_setup();',
  ' \tif (r)',
  ' \t\treturn r;',
  ' ',
].join('\n');

describe('reading patch mail', () => {
  it('splits an mbox, decodes headers, keeps body lines where the mail has them, and unquotes mboxrd', async () => {
    const cover = [
      'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001',
      'Subject: [PATCH v2 0/1] demo: a series',
      '',
      'The cover letter.',
      '',
    ].join('\n');
    const text = `${cover}\n${patchMail(1, 1, 'demo: Initialize the lists first', DEMO_DIFF)}`;
    const messages = await readMessages(text.replace(/\n/g, '\r\n'));
    expect(messages.map((m) => m.subject)).toEqual(['[PATCH v2 0/1] demo: a series', '[PATCH v2 1/1] demo: Initialize the lists first']);
    const patch = messages[1];
    assert(patch?.bodyLine !== undefined, 'the patch is sent as it is');
    expect(patch.from).toBe('Jörg Hacker <joerg@example.org>');
    expect(patch.messageId).toBe('<1@example.org>');
    expect(patch.body).toContain('From the list: this line was quoted by the mbox.');
    const lines = text.split('\n');
    expect(lines[patch.bodyLine - 1]).toBe('Why the change is right.');
  });

  it('finds each added or kept line of a hunk in the mail, by its line after the patch', async () => {
    const text = patchMail(1, 1, 'demo: Initialize the lists first', DEMO_DIFF);
    const [message] = await readMessages(text);
    assert(message, 'one message');
    const diff = diffOf(message);
    assert(diff, 'a diff');
    expect(diff.files.map((f) => [f.oldPath, f.newPath, f.hunks.length])).toEqual([['virt/kvm/demo.c', 'virt/kvm/demo.c', 1]]);
    const hunk = diff.files[0]?.hunks[0];
    assert(hunk, 'one hunk');
    expect(hunk.header).toBe('@@ -10,6 +10,7 @@ static int demo_init(void)');
    const lines = text.split('\n');
    const inMail = (line: number) => lines[(hunk.at.get(line) ?? 0) - 1];
    expect(inMail(12)).toBe('+\tdemo_lists_init();');
    expect(inMail(13)).toBe('+\tr = demo_setup();');
    expect(inMail(16)).toBe(' ');
    expect(hunk.at.has(17)).toBe(false);
    // The signature after the diff is not part of it.
    expect(diff.text).not.toContain('2.39.2');
  });

  it('renames, new files and binary parts', async () => {
    const diff = [
      'diff --git a/arch/demo/kvm/old.c b/arch/demo/kvm/new.c',
      'similarity index 90%',
      'rename from arch/demo/kvm/old.c',
      'rename to arch/demo/kvm/new.c',
      'diff --git a/arch/demo/kvm/fresh.c b/arch/demo/kvm/fresh.c',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/arch/demo/kvm/fresh.c',
      '@@ -0,0 +1 @@',
      '+int demo_fresh;',
      'diff --git a/Documentation/demo.png b/Documentation/demo.png',
      'Binary files a/Documentation/demo.png and b/Documentation/demo.png differ',
    ].join('\n');
    const [message] = await readMessages(patchMail(1, 1, 'demo: move things', diff));
    assert(message, 'one message');
    expect(diffOf(message)?.files.map((f) => [f.oldPath, f.newPath, f.binary, f.hunks.length])).toEqual([
      ['arch/demo/kvm/old.c', 'arch/demo/kvm/new.c', false, 0],
      [undefined, 'arch/demo/kvm/fresh.c', false, 1],
      ['Documentation/demo.png', 'Documentation/demo.png', true, 0],
    ]);
  });

  it('a bare diff is one patch without headers; a reply without a diff is none', async () => {
    const [bare] = await readMessages(`${DEMO_DIFF}\n`);
    assert(bare, 'one message');
    expect(bare.subject).toBe('');
    expect(diffOf(bare)?.files[0]?.newPath).toBe('virt/kvm/demo.c');
    const [reply] = await readMessages('From: a@example.org\nSubject: Re: [PATCH 1/2] demo\n\nLooks good.\n');
    assert(reply, 'one message');
    expect(diffOf(reply)).toBeUndefined();
  });

  it('numbers and titles from subjects', () => {
    expect(numberOf('[PATCH v7 003/102] KVM: Refactor')).toEqual({ index: 3, total: 102 });
    expect(numberOf('[RFC PATCH] KVM: one')).toBeUndefined();
    expect(titleOf('[PATCH v7 003/102] KVM: Refactor CPU compatibility check')).toBe('KVM: Refactor CPU compatibility check');
  });
});

describe('reading a series', () => {
  it('a folder of git format-patch files, in the order their numbers give, the cover letter apart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-series-'));
    writeFileSync(join(dir, '0000-cover-letter.patch'), 'From: a@example.org\nSubject: [PATCH 0/2] demo\n\nCover.\n');
    // Names sort 0001, 0002; the subjects' numbers say the order.
    writeFileSync(join(dir, '0001-b.patch'), patchMail(2, 2, 'demo: second', DEMO_DIFF));
    writeFileSync(join(dir, '0002-a.patch'), patchMail(1, 2, 'demo: first', DEMO_DIFF));
    writeFileSync(join(dir, 'notes.txt'), 'not read');
    const series = await readSeries(dir, undefined);
    expect(series.cover?.subject).toBe('[PATCH 0/2] demo');
    expect(series.patches.map((p) => `${p.index}/${p.total} ${titleOf(p.subject)}`)).toEqual(['1/2 demo: first', '2/2 demo: second']);
  });

  it('bad input is an InputError naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-series-'));
    writeFileSync(join(dir, 'reply.eml'), 'From: a@example.org\nSubject: Re: demo\n\nNo diff here.\n');
    await expect(readSeries(join(dir, 'reply.eml'), undefined)).rejects.toThrow(/reply\.eml holds no patch/);
    await expect(readSeries(join(dir, 'missing.mbox'), undefined)).rejects.toThrow(/no such file or folder/);
    await expect(readSeries(mkdtempSync(join(tmpdir(), 'kvm-rules-series-')), undefined)).rejects.toThrow(/holds no \.patch/);
  });
});
