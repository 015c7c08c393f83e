// The fuzz suite's cases: per campaign, generators that turn (seed, index)
// into one case. Every case is drawn up front from the originals of the late-percpu fixture, so
// that the same --seed gives the same cases whatever the order or parallelism they run in.
// See scripts/fuzz/harness.mjs for how they run and what they must not break.
import { mulberry32 } from '../random.mjs';

/** A PRNG for one case: independent of every other case's draws. */
export function caseRandom(seed, campaign, index) {
  const random = mulberry32((seed * 2654435761) ^ (campaign * 40503) ^ Math.imul(index + 1, 0x9e3779b1));
  const int = (n) => Math.floor(random() * n);
  return { random, int, pick: (list) => list[int(list.length)] };
}

// ---------------------------------------------------------------------------------------------
// Campaign 1: C mutations.

/** The C files mutated, and the functions whose damage must be visible. */
export const C_FILES = ['virt/kvm/kvm_main.c', 'arch/demox/kvm/x86.c', 'arch/demox/kvm/vmx/vmx.c'];
export const WATCHED = {
  'virt/kvm/kvm_main.c': 'kvm_init',
  'arch/demox/kvm/x86.c': 'kvm_arch_disable_virtualization_cpu',
  'arch/demox/kvm/vmx/vmx.c': 'demo_vmx_init',
};

/** [start, end) byte offsets (of the latin1 text) of a function's definition, from its header line to its closing brace. */
export function functionExtent(text, name) {
  const header = new RegExp(`^[A-Za-z_][^;\\n]*\\b${name}\\([^;]*$`, 'm');
  const match = header.exec(text);
  if (!match) return undefined;
  const close = text.indexOf('\n}', match.index);
  if (close === -1) return undefined;
  return [match.index, close + 2];
}

function lineStarts(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n' && i + 1 < text.length) starts.push(i + 1);
  return starts;
}

/** Offsets of `{` and `}` outside comments (a line starting with /*, * or //), in [from, to). */
function braces(text, from = 0, to = text.length) {
  const found = [];
  for (let i = from; i < to; i++) {
    if (text[i] !== '{' && text[i] !== '}') continue;
    const lineStart = text.lastIndexOf('\n', i - 1) + 1;
    const head = text.slice(lineStart, i).trimStart();
    if (head.startsWith('*') || head.startsWith('/*') || head.startsWith('//')) continue;
    found.push(i);
  }
  return found;
}

const C_KINDS = ['truncate', 'delete-line', 'duplicate-line', 'swap-lines', 'remove-brace', 'long-line', 'deep-nesting', 'nul-byte', 'crlf', 'bom', 'non-utf8'];

/**
 * One C case: { id, kind, file, detail, bytes (the mutated file), region: [start, end) of the
 * original touched, mustShow: whether damage inside a watched function must be visible }.
 * Texts are handled as latin1 so that byte offsets and string offsets agree.
 */
export function cCase(seed, index, originals) {
  const { random, int, pick } = caseRandom(seed, 1, index);
  // Kinds in turn (from a seed-dependent start), so that a short run still covers every kind.
  const kind = C_KINDS[(index + seed) % C_KINDS.length];
  const file = pick(C_FILES);
  const text = originals.get(file);
  const extent = WATCHED[file] && functionExtent(text, WATCHED[file]);
  // Half of the offset-based mutations aim inside the watched function, where damage must show.
  const aimed = extent && random() < 0.5;
  const offset = aimed ? extent[0] + int(extent[1] - extent[0]) : int(text.length);
  const starts = lineStarts(text);
  const lineAt = (o) => {
    let lo = 0;
    for (let i = 0; i < starts.length; i++) if (starts[i] <= o) lo = i;
    return lo;
  };
  const lineEnd = (i) => (i + 1 < starts.length ? starts[i + 1] : text.length);
  let out;
  let detail;
  let region = [offset, offset + 1];
  switch (kind) {
    case 'truncate':
      out = text.slice(0, offset);
      detail = `at byte ${offset} of ${text.length}`;
      region = [offset, text.length];
      break;
    case 'delete-line': {
      const i = lineAt(offset);
      out = text.slice(0, starts[i]) + text.slice(lineEnd(i));
      detail = `line ${i + 1}`;
      region = [starts[i], lineEnd(i)];
      break;
    }
    case 'duplicate-line': {
      const i = lineAt(offset);
      out = text.slice(0, lineEnd(i)) + text.slice(starts[i], lineEnd(i)) + text.slice(lineEnd(i));
      detail = `line ${i + 1}`;
      region = [starts[i], lineEnd(i)];
      break;
    }
    case 'swap-lines': {
      const i = lineAt(offset);
      const j = aimed ? lineAt(extent[0] + int(extent[1] - extent[0])) : int(starts.length);
      const [a, b] = i < j ? [i, j] : [j, i];
      const lines = starts.map((s, k) => text.slice(s, lineEnd(k)));
      if (!lines[b].endsWith('\n')) lines[b] += '\n';
      [lines[a], lines[b]] = [lines[b], lines[a]];
      out = lines.join('');
      detail = `lines ${a + 1} and ${b + 1}`;
      region = [starts[a], lineEnd(b)];
      break;
    }
    case 'remove-brace': {
      const candidates = aimed ? braces(text, extent[0], extent[1]) : braces(text);
      const at = pick(candidates);
      out = text.slice(0, at) + text.slice(at + 1);
      detail = `'${text[at]}' at line ${lineAt(at) + 1}`;
      region = [at, at + 1];
      break;
    }
    case 'long-line': {
      const i = lineAt(offset);
      const long = `${pick(['', '\t', '// '])}${'x'.repeat(64 * 1024)}\n`;
      out = text.slice(0, starts[i]) + long + text.slice(starts[i]);
      detail = `64 KB line before line ${i + 1}`;
      region = [starts[i], starts[i]];
      break;
    }
    case 'deep-nesting': {
      const i = lineAt(offset);
      const depth = 250 + int(100);
      const nest = `${'if (x) {\n'.repeat(depth)}${'}\n'.repeat(depth)}`;
      out = text.slice(0, starts[i]) + nest + text.slice(starts[i]);
      detail = `${depth} nested if before line ${i + 1}`;
      region = [starts[i], starts[i]];
      break;
    }
    case 'nul-byte':
      out = text.slice(0, offset) + '\0' + text.slice(offset);
      detail = `at byte ${offset}`;
      break;
    case 'crlf':
      out = text.replace(/\n/g, '\r\n');
      detail = 'every line';
      region = [0, text.length];
      break;
    case 'bom':
      out = '\xef\xbb\xbf' + text;
      detail = 'at the start';
      region = [0, 0];
      break;
    case 'non-utf8': {
      const byte = pick([0xff, 0xfe, 0xc0, 0x80, 0xed]);
      out = text.slice(0, offset) + String.fromCharCode(byte) + text.slice(offset);
      detail = `0x${byte.toString(16)} at byte ${offset}`;
      break;
    }
  }
  // Inside the watched function: the mutated region starts after its header and before its closing brace.
  const inside = Boolean(extent) && region[0] > extent[0] && region[0] < extent[1] - 1;
  const mustShow = inside && (kind === 'remove-brace' || kind === 'truncate');
  return { id: `c${index}`, kind, file, detail, bytes: Buffer.from(out, 'latin1'), inside, mustShow };
}

// ---------------------------------------------------------------------------------------------
// Campaign 2: declarative inputs (the plugin manifest, the configuration file).

/** A valid kvm-rules.config.yaml for the fixture, the base of the config mutations. */
export const BASE_CONFIG = `# kvm-rules.config.yaml of the fuzz suite
archs: [demo-vmx]
rules:
  kvm-init-last: warning
  hook-state-initialized:
    severity: error
exceptions:
  - rule: kvm-init-last
    arch: generic
    reason: the fuzz suite's base config
ignores:
  - file: "**/no-such-file.c"
    reason: the fuzz suite's base config
`;

const D_KINDS = [
  'type-confusion',
  'unknown-key',
  'alias-bomb',
  'tag',
  'duplicate-key',
  'huge-string',
  'non-utf8',
  'second-document',
  'truncate',
  'delete-line',
  'empty',
];
const CONFUSED = ['42', '-1', '3.5e300', '"a string"', 'a string', '[1, 2]', '[]', '{a: 1}', '{}', 'null', '~', 'true', '0x1F', '.nan', "''", '- x'];
const TAGS = [
  '!!js/function "function () { return 1; }"',
  '!!js/regexp /x+/',
  '!!js/undefined ""',
  '!!binary aGVsbG8=',
  '!!timestamp 2001-12-14',
  '!!set {a, b}',
  '!!omap [a: 1]',
  '!custom x',
  '!!float "1.5"',
  '!!int "12"',
  '!!str 12',
];

function keyLines(text) {
  const lines = text.split('\n');
  const found = [];
  lines.forEach((line, i) => {
    const m = /^(\s*(?:- )?)([A-Za-z$][\w-]*):(\s*)(.*)$/.exec(line);
    if (m) found.push({ i, indent: m[1], key: m[2], value: m[4] });
  });
  return { lines, found };
}

/** One declarative case: { id, kind, target ('plugin' | 'config'), detail, bytes }. */
export function declarativeCase(seed, index, originals) {
  const { int, pick } = caseRandom(seed, 2, index);
  const kind = D_KINDS[(index + seed) % D_KINDS.length];
  const target = int(5) < 3 ? 'plugin' : 'config';
  const text = target === 'plugin' ? originals.get('plugin.yaml') : BASE_CONFIG;
  const { lines, found } = keyLines(text);
  const at = pick(found);
  const replaceValue = (value) => lines.map((l, i) => (i === at.i ? `${at.indent}${at.key}: ${value}` : l)).join('\n');
  let out;
  let detail;
  switch (kind) {
    case 'type-confusion': {
      const value = pick(CONFUSED);
      out = replaceValue(value);
      detail = `${at.key} (line ${at.i + 1}) := ${value}`;
      break;
    }
    case 'unknown-key': {
      const name = pick(['unknownKey', 'Id', 'modules2', '__proto__', 'constructor', 'toString', '$schema', 'x-ext']);
      const indent = int(2) === 0 ? '' : at.indent.replace('- ', '  ');
      const where = indent === '' ? 0 : at.i + 1;
      out = [...lines.slice(0, where), `${indent}${name}: 1`, ...lines.slice(where)].join('\n');
      detail = `${name} at line ${where + 1}`;
      break;
    }
    case 'alias-bomb': {
      const levels = 3 + int(7);
      const width = 9;
      const bomb = [`a0: &a0 [${Array(width).fill('"lol"').join(', ')}]`];
      for (let l = 1; l < levels; l++)
        bomb.push(
          `a${l}: &a${l} [${Array(width)
            .fill(`*a${l - 1}`)
            .join(', ')}]`,
        );
      // Top-level keys (unknown to the schema) or the value of an existing key.
      if (int(2) === 0) {
        out = `${bomb.join('\n')}\n${text}`;
        detail = `${levels} levels of ${width} at the top`;
      } else {
        out = `${bomb.join('\n')}\n${replaceValue(`*a${levels - 1}`)}`;
        detail = `${levels} levels of ${width}, as ${at.key} (line ${at.i + 1 + levels})`;
      }
      break;
    }
    case 'tag': {
      const tag = pick(TAGS);
      out = replaceValue(tag);
      detail = `${at.key} (line ${at.i + 1}) := ${tag}`;
      break;
    }
    case 'duplicate-key': {
      out = [...lines.slice(0, at.i + 1), lines[at.i].replace(/^(\s*)- /, '$1  '), ...lines.slice(at.i + 1)].join('\n');
      detail = `${at.key} (line ${at.i + 1}) twice`;
      break;
    }
    case 'huge-string': {
      const huge = pick(['"', '']) === '"' ? `"${'y'.repeat(1 << 20)}"` : 'y'.repeat(1 << 20);
      out = replaceValue(huge);
      detail = `${at.key} (line ${at.i + 1}) := 1 MB string`;
      break;
    }
    case 'non-utf8': {
      const offset = int(text.length);
      out = text.slice(0, offset) + String.fromCharCode(pick([0xff, 0xc3, 0x80])) + text.slice(offset);
      detail = `at byte ${offset}`;
      break;
    }
    case 'second-document':
      out = `${text}${pick(['---\nid: other\n', '--- |\n  text\n', '...\n---\n[1, 2]\n', '---\n'])}`;
      detail = 'appended';
      break;
    case 'truncate': {
      const offset = int(text.length);
      out = text.slice(0, offset);
      detail = `at byte ${offset}`;
      break;
    }
    case 'delete-line':
      out = lines.filter((_, i) => i !== at.i).join('\n');
      detail = `line ${at.i + 1} (${at.key})`;
      break;
    case 'empty': {
      const body = pick(['', '\n', 'null\n', '[]\n', '"x"\n', '42\n', '# only a comment\n', '{}\n']);
      out = body;
      detail = JSON.stringify(body);
      break;
    }
  }
  return { id: `d${index}`, kind, target, detail, bytes: Buffer.from(out, 'latin1') };
}

// ---------------------------------------------------------------------------------------------
// Campaign 3: faults of the file system around the run.

const F_KINDS = [
  'plugin-missing',
  'plugin-directory',
  'plugin-fifo',
  'output-under-file',
  'output-dev-full',
  'output-directory',
  'stdout-dev-full',
  'stdout-gone',
  'cache-random-bytes',
  'cache-null',
  'cache-entries-null',
  'cache-empty',
  'cache-bad-entry',
  'cache-truncated',
  'kept-random-bytes',
  'kept-truncated',
  'kept-fifo',
  'kept-unwritable',
];

/** One fault case: { id, kind, detail, bytes? (the cache file's content) }; kinds in turn, details drawn. */
export function faultCase(seed, index) {
  const { int, random } = caseRandom(seed, 3, index);
  const kind = F_KINDS[(index + (seed % F_KINDS.length)) % F_KINDS.length];
  let bytes;
  let detail = '';
  switch (kind) {
    case 'cache-random-bytes': {
      const n = 1 + int(4096);
      bytes = Buffer.alloc(n);
      for (let i = 0; i < n; i++) bytes[i] = int(256);
      detail = `${n} random bytes`;
      break;
    }
    case 'cache-null':
      bytes = Buffer.from('null');
      break;
    case 'cache-entries-null':
      bytes = Buffer.from('{"kvmRulesCache":1,"entries":null}');
      break;
    case 'cache-empty':
      bytes = Buffer.alloc(0);
      break;
    case 'cache-bad-entry': {
      const key = Array.from({ length: 64 }, () => '0123456789abcdef'[int(16)]).join('');
      const entry = [null, 1, '"x"', '[]', '{}', '{"output":1}', '{"exitCode":"0","output":"","inputs":null}'][int(7)];
      bytes = Buffer.from(`{"kvmRulesCache":1,"entries":{"${key}":${entry}}}`);
      detail = entry;
      break;
    }
    case 'cache-truncated':
      // A valid cache written by a first run, cut at a random fraction (see the harness).
      detail = String(random());
      break;
    // What runs keep in the user's cache directory (parsed YAML, C files), written by a first
    // run and then each entry overwritten (see the harness); unwritable: the folder is a file.
    case 'kept-random-bytes': {
      const n = 1 + int(512);
      bytes = Buffer.alloc(n);
      for (let i = 0; i < n; i++) bytes[i] = int(256);
      detail = `every entry ${n} random bytes`;
      break;
    }
    case 'kept-truncated':
      detail = String(random());
      break;
  }
  return { id: `f${index}`, kind, detail, bytes };
}
