// The diff of one patch mail: its files and hunks, and for each line the patch adds or keeps,
// where it is in the file after the patch and in the mail. A finding a patch introduces is then
// shown at the patch's own line, as a reviewer quotes it. Hand-written rather than a diff
// library's: those give the hunks but not where each line sits in the mail.
import type { Message } from './mbox.js';

export interface Hunk {
  /** "@@ -8372,6 +8372,15 @@ static void vmx_exit(void)" */
  header: string;
  oldStart: number;
  newStart: number;
  /** Line of the header in the mail file (undefined for a body sent encoded: its lines are not the file's). */
  line: number | undefined;
  /** The hunk's lines, as the patch has them (' ', '-', '+' and their text). */
  lines: string[];
  /** Line after the patch → line in the mail file, for the lines the hunk adds or keeps. */
  at: Map<number, number | undefined>;
  /** The lines after the patch that the hunk adds. */
  added: Set<number>;
}

export interface PatchFile {
  /** Tree-relative paths before and after (a new file has no old one, a deleted file no new one). */
  oldPath: string | undefined;
  newPath: string | undefined;
  binary: boolean;
  hunks: Hunk[];
}

export interface Patch {
  /** 1-based place in the series, and the series' length (from "[PATCH 2/4]", else by order). */
  index: number;
  total: number;
  subject: string;
  /** The file the mail is in (for REV..REV, the range: lines of `git format-patch --stdout REV..REV`). */
  file: string;
  message: Message;
  /** The body from its first diff line on: what `git apply` is given. */
  diff: string;
  files: PatchFile[];
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** The diff in a message's body, or undefined when it has none (a cover letter, a reply). */
export function diffOf(message: Message): { files: PatchFile[]; text: string } | undefined {
  const body = message.body;
  const start = body.findIndex((line, i) => line.startsWith('diff --git ') || (line.startsWith('--- ') && body[i + 1]?.startsWith('+++ ')));
  if (start === -1) return undefined;
  const files: PatchFile[] = [];
  let file: PatchFile | undefined;
  let hunk: Hunk | undefined;
  let oldLeft = 0;
  let newLeft = 0;
  let newLine = 0;
  const fileLine = (i: number) => (message.bodyLine === undefined ? undefined : message.bodyLine + i);
  let end = body.length;
  for (let i = start; i < body.length; i++) {
    const line = body[i]!;
    if (hunk && (oldLeft > 0 || newLeft > 0)) {
      const kind = line[0] ?? ' ';
      if (kind === '\\') continue;
      hunk.lines.push(line);
      if (kind !== '+') oldLeft--;
      if (kind === '+') hunk.added.add(newLine);
      if (kind !== '-') {
        hunk.at.set(newLine++, fileLine(i));
        newLeft--;
      }
      continue;
    }
    hunk = undefined;
    if (line.startsWith('diff --git ')) {
      const [, a, b] = /^diff --git a\/(\S+) b\/(\S+)/.exec(line) ?? [];
      files.push((file = { oldPath: a, newPath: b, binary: false, hunks: [] }));
    } else if (line.startsWith('--- ')) {
      file ??= pushed(files);
      file.oldPath = pathOf(line.slice(4));
    } else if (line.startsWith('+++ ')) {
      file ??= pushed(files);
      file.newPath = pathOf(line.slice(4));
    } else if (file && (line.startsWith('rename from ') || line.startsWith('copy from '))) {
      file.oldPath = line.replace(/^(rename|copy) from /, '');
    } else if (file && (line.startsWith('rename to ') || line.startsWith('copy to '))) {
      file.newPath = line.replace(/^(rename|copy) to /, '');
    } else if (file && (line === 'GIT binary patch' || /^Binary files .* differ$/.test(line))) {
      file.binary = true;
    } else if (file && HUNK.test(line)) {
      const [, oldStart = '0', oldCount, newStart = '0', newCount] = HUNK.exec(line) ?? [];
      oldLeft = oldCount === undefined ? 1 : Number(oldCount);
      newLeft = newCount === undefined ? 1 : Number(newCount);
      newLine = Number(newStart);
      hunk = { header: line, oldStart: Number(oldStart), newStart: Number(newStart), line: fileLine(i), lines: [], at: new Map(), added: new Set() };
      file.hunks.push(hunk);
    } else if (line === '-- ' || line.startsWith('base-commit: ')) {
      end = i; // the signature: git's version, b4's base
      break;
    }
  }
  return { files, text: `${body.slice(start, end).join('\n')}\n` };
}

function pushed(files: PatchFile[]): PatchFile {
  const file: PatchFile = { oldPath: undefined, newPath: undefined, binary: false, hunks: [] };
  files.push(file);
  return file;
}

/** "a/virt/kvm/kvm_main.c\t2022-…" → "virt/kvm/kvm_main.c"; /dev/null → undefined. */
function pathOf(name: string): string | undefined {
  const path = name.split('\t')[0]!.trim();
  if (path === '/dev/null') return undefined;
  return path.replace(/^[ab]\//, '');
}

/** "[PATCH v7 003/102] KVM: …" → 3 of 102; undefined for a subject without a number. */
export function numberOf(subject: string): { index: number; total: number } | undefined {
  const match = /^\s*\[[^\]]*?(\d+)\/(\d+)\s*\]/.exec(subject);
  return match ? { index: Number(match[1]), total: Number(match[2]) } : undefined;
}

/** The subject without its "[PATCH …]" tag: what the ordering's summary names a patch by. */
export function titleOf(subject: string): string {
  return subject.replace(/^\s*(?:\[[^\]]*\]\s*)+/, '').trim();
}
