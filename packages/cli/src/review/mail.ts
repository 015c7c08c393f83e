// `review --format mail`: a reply to each patch that changes a finding, in the list's
// conventions, as an mbox that `git send-email` sends as it is (it fills in the sender). Each
// reply answers the patch (Subject "Re:", In-Reply-To and References from its Message-Id),
// says per arch at the top what the patch means for it, quotes the hunks at fault with "> "
// and puts each finding under the line it is about; lines are at most 72 columns but for a
// quoted line, which stays as the patch has it.
import { formatLocation, GENERIC_ARCH, type Finding } from '@kvm-rules/core';
import { wrap } from '../formatters/mail.js';
import { toolVersion } from '../formatters/shared.js';
import type { PatchPlace, PatchReview, Review } from './review.js';

/** The names the list uses for the archs (the seed's review says VMX, SVM, MIPS). */
const ARCH_NAMES: Record<string, string> = { 'x86-vmx': 'VMX', 'x86-svm': 'SVM', mips: 'MIPS', [GENERIC_ARCH]: 'generic KVM' };
const archName = (arch: string) => ARCH_NAMES[arch] ?? arch;

/** git format-patch's fixed date on the mbox separator: the output does not change from run to run. */
const SEPARATOR = 'From kvm-rules Mon Sep 17 00:00:00 2001';

/** A finding the patch brings or changes, with where the patch has its line. */
interface AtFault {
  finding: Finding;
  inPatch: PatchPlace | undefined;
  was?: string;
  fixedBy: number | undefined;
}

type Verdict = 'needs fix' | 'needs review' | 'fixed' | 'no change';

export function reviewMail(review: Review): string {
  const replies = review.patches.filter((p) => !p.skipped && p.introduced.length + p.changed.length + p.fixed.length > 0).map((p) => reply(review, p));
  return replies.join('\n');
}

function reply(review: Review, p: PatchReview): string {
  const message = p.patch.message;
  const references = [message.references, message.messageId].filter(Boolean).join(' ');
  const subject = p.patch.subject ? `Re: ${p.patch.subject.replace(/^Re:\s*/i, '')}` : `Re: ${p.patch.index}/${p.patch.total}`;
  const headers = [
    SEPARATOR,
    `Subject: ${subject}`,
    ...(message.messageId ? [`In-Reply-To: ${message.messageId}`, `References: ${references}`] : []),
    'Content-Type: text/plain; charset=UTF-8',
    '',
  ];
  const atFault: AtFault[] = [
    ...p.introduced.map((i) => ({ finding: i.finding, inPatch: i.inPatch, fixedBy: i.fixedBy })),
    ...p.changed.map((c) => ({
      finding: c.after,
      inPatch: c.inPatch,
      fixedBy: c.fixedBy,
      ...(c.before.severity !== c.after.severity ? { was: c.before.severity } : {}),
    })),
  ];
  const body = [
    ...attribution(message.date, message.from),
    ...verdicts(review, p),
    ...orderingText(p),
    ...quotedHunks(p, atFault),
    ...elsewhere(
      atFault.filter((f) => f.inPatch?.line === undefined),
      p.patch.total,
    ),
    ...stillOpen(review, p),
    ...fixedLines(p.fixed),
    '-- ',
    `kvm-rules ${toolVersion}, review of ${p.patch.index}/${p.patch.total} against Linux ${review.kernel.version}`,
  ];
  return `${[...headers, ...body].join('\n')}\n`;
}

function attribution(date: string | undefined, from: string): string[] {
  if (!from) return [];
  return [...wrap(`On ${date ?? 'an earlier day'}, ${from} wrote:`, ''), ''];
}

/** Per arch at the top, as the seed's reviewer wrote it: "VMX: needs fix", "SVM, arm64: no change". */
function verdicts(review: Review, p: PatchReview): string[] {
  const byVerdict = new Map<Verdict, string[]>();
  for (const arch of [GENERIC_ARCH, ...review.archs]) {
    const verdict = verdictOf(review, p, arch);
    if (verdict === 'no change' && arch === GENERIC_ARCH) continue;
    byVerdict.set(verdict, [...(byVerdict.get(verdict) ?? []), archName(arch)]);
  }
  const lines = wrap(`kvm-rules read Linux ${review.kernel.version} before and after this patch:`, '');
  lines.push('');
  for (const verdict of ['needs fix', 'needs review', 'fixed', 'no change'] as const) {
    const archs = byVerdict.get(verdict);
    if (archs) lines.push(...wrap(`${archs.join(', ')}: ${verdict}`, '  ', '    '));
  }
  return [...lines, ''];
}

function verdictOf(review: Review, p: PatchReview, arch: string): Verdict {
  const brought = [...p.introduced.map((i) => i.finding), ...p.changed.map((c) => c.after)].filter((f) => f.arch === arch);
  if (brought.some((f) => f.severity === 'error')) return 'needs fix';
  if (brought.length > 0 || p.reached.some((f) => f.arch === arch)) return 'needs review';
  return p.fixed.some((f) => f.arch === arch) ? 'fixed' : 'no change';
}

/** What the patch reorders, as the seed's commit message shows it: each scope's steps, what moved marked. */
function orderingText(p: PatchReview): string[] {
  if (p.ordering.length === 0) return [];
  const lines = [...wrap('The ordering before and after this patch (+ added, - removed, ~ moved):', ''), ''];
  for (const change of p.ordering) {
    lines.push(...wrap(change.scope, '  '));
    for (const { mark, step } of change.steps) lines.push(...wrap(step.text, `  ${mark} `, '      '));
    lines.push('');
  }
  return lines;
}

/** Each hunk that has a finding's line, quoted up to that line, with the finding under it. */
function quotedHunks(p: PatchReview, atFault: AtFault[]): string[] {
  const body = p.patch.message.body;
  const first = p.patch.message.bodyLine;
  if (first === undefined) return [];
  const lines: string[] = [];
  const byHunk = new Map<string, AtFault[]>();
  for (const fault of atFault) {
    if (fault.inPatch?.line === undefined) continue;
    const key = `${fault.inPatch.file}\0${fault.inPatch.hunk}`;
    byHunk.set(key, [...(byHunk.get(key) ?? []), fault]);
  }
  for (const faults of byHunk.values()) {
    faults.sort((a, b) => (a.inPatch?.line ?? 0) - (b.inPatch?.line ?? 0));
    const file = faults[0]?.inPatch?.file ?? '';
    const headerLine = hunkLine(p, file, faults[0]?.inPatch?.hunk ?? '');
    let quotedTo = (headerLine ?? faults[0]?.inPatch?.line ?? first) - 1;
    lines.push(`> diff --git a/${file} b/${file}`);
    for (const fault of faults) {
      const to = fault.inPatch?.line ?? quotedTo;
      for (let line = quotedTo + 1; line <= to; line++) lines.push(`> ${body[line - first] ?? ''}`.trimEnd());
      quotedTo = Math.max(quotedTo, to);
      if (lines.at(-1) !== '') lines.push('');
      lines.push(...findingParagraph(fault, p.patch.total), '');
    }
  }
  return lines;
}

/** The mail line of a hunk's header. */
function hunkLine(p: PatchReview, file: string, header: string): number | undefined {
  return p.patch.files.find((f) => f.newPath === file)?.hunks.find((h) => h.header === header)?.line;
}

function findingParagraph(fault: AtFault, total: number, indent = ''): string[] {
  const { finding } = fault;
  const severity = fault.was ? `${finding.severity} (was ${fault.was})` : finding.severity;
  // Under a line that is not the finding's own: what that line does, then where the finding is.
  const via = fault.inPatch?.via;
  const where = via && finding.location ? `Here ${via.replace(/ here$/, '')}; at ${formatLocation(finding.location)}: ` : '';
  const lines = wrap(`${where}${archName(finding.arch)}, ${finding.ruleId}, ${severity}: ${finding.message}`, indent);
  if (fault.fixedBy !== undefined) lines.push(...wrap(`Patch ${fault.fixedBy}/${total} fixes this; until then the series does not bisect cleanly.`, indent));
  return lines;
}

function elsewhere(faults: AtFault[], total: number): string[] {
  if (faults.length === 0) return [];
  const lines = [...wrap('This patch also brings, at places it does not touch:', ''), ''];
  for (const fault of faults) {
    const where = fault.finding.location ? formatLocation(fault.finding.location) : '(the whole check)';
    lines.push(...wrap(where, '  '), ...findingParagraph(fault, total, '  '), '');
  }
  return lines;
}

function stillOpen(review: Review, p: PatchReview): string[] {
  const lines: string[] = [];
  for (const arch of review.archs) {
    const open = p.reached.filter((f) => f.arch === arch);
    if (open.length === 0) continue;
    lines.push(...wrap(`${archName(arch)}: this patch changes kvm_init(), and ${archName(arch)} already has:`, ''), '');
    for (const finding of open) {
      lines.push(...wrap(finding.location ? formatLocation(finding.location) : '(the whole check)', '  '));
      lines.push(...wrap(`${finding.ruleId}, ${finding.severity}: ${finding.message}`, '  '), '');
    }
  }
  return lines;
}

function fixedLines(fixed: Finding[]): string[] {
  if (fixed.length === 0) return [];
  const lines = [...wrap(`This patch fixes ${fixed.length === 1 ? 'a finding' : `${fixed.length} findings`}:`, ''), ''];
  for (const finding of fixed)
    lines.push(...wrap(`${finding.location ? `${formatLocation(finding.location)}: ` : ''}${finding.ruleId} (${archName(finding.arch)})`, '  ', '    '));
  return [...lines, ''];
}
