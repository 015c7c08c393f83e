// A patch series as mail: an mbox (`b4 am`, `git format-patch --stdout`), one message or a bare
// diff. Headers are decoded by postal-mime (folded lines, RFC 2047 names); the body is taken
// from the text itself when it is sent as it is (7bit, 8bit: what git send-email writes), so
// that a line of the patch keeps its line number in the file the reviewer opens.
import PostalMime from 'postal-mime';

export interface Message {
  /** 1-based line of the message's first line (its "From " line, or its first header) in the file. */
  line: number;
  subject: string;
  from: string;
  /** With its angle brackets, as References wants it; undefined when the message has none. */
  messageId: string | undefined;
  references: string | undefined;
  date: string | undefined;
  /** The body's lines; `bodyLine` is the file line of the first (for a body sent encoded: undefined). */
  body: string[];
  bodyLine: number | undefined;
}

/**
 * The messages of an mbox, or the one message (or bare diff) a file holds. A message starts at
 * a "From " line at the top of the file or after a blank line (mboxo/mboxrd, as git writes).
 */
export async function readMessages(text: string): Promise<Message[]> {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (!lines[0]?.startsWith('From ')) return [await messageOf(lines, 0, hasHeaders(lines) ? 0 : undefined)];
  const starts = lines.flatMap((line, i) => (line.startsWith('From ') && (i === 0 || lines[i - 1] === '') ? [i] : []));
  const messages: Message[] = [];
  for (const [n, start] of starts.entries()) {
    const end = starts[n + 1] ?? lines.length;
    messages.push(await messageOf(lines.slice(start + 1, end), start + 1, 0));
  }
  return messages;
}

/** Whether a file's first lines are mail headers ("Subject: …"), not a bare diff. */
function hasHeaders(lines: string[]): boolean {
  return /^[A-Za-z][\w-]*:/.test(lines[0] ?? '') && !lines[0]!.startsWith('diff ') && !lines[0]!.startsWith('Index:');
}

/** One message from its lines (`offset`: how many file lines come before them); `headersAt` undefined: a bare diff. */
async function messageOf(lines: string[], offset: number, headersAt: number | undefined): Promise<Message> {
  if (headersAt === undefined) {
    return { line: offset + 1, subject: '', from: '', messageId: undefined, references: undefined, date: undefined, body: lines, bodyLine: offset + 1 };
  }
  const blank = lines.indexOf('');
  const headerEnd = blank === -1 ? lines.length : blank;
  const parsed = await PostalMime.parse(lines.join('\n'));
  const header = (key: string) =>
    parsed.headers
      .find((h) => h.key === key)
      ?.value.replace(/\s+/g, ' ')
      .trim();
  const encoding = (header('content-transfer-encoding') ?? '7bit').toLowerCase();
  const multipart = /^multipart\//i.test(header('content-type') ?? '');
  const plain = !multipart && ['7bit', '8bit', 'binary'].includes(encoding);
  // mboxrd: a body line that began with "From " was written ">From ", and one with ">From " ">>From ".
  const body = plain ? lines.slice(headerEnd + 1).map((line) => line.replace(/^>(>*From )/, '$1')) : (parsed.text ?? '').replace(/\r\n/g, '\n').split('\n');
  return {
    line: offset + 1,
    subject: parsed.subject ?? '',
    from: parsed.from ? (parsed.from.name ? `${parsed.from.name} <${parsed.from.address ?? ''}>` : (parsed.from.address ?? '')) : '',
    messageId: parsed.messageId,
    references: header('references'),
    date: header('date'),
    body,
    bodyLine: plain ? offset + headerEnd + 2 : undefined,
  };
}
