import gcc from './gcc.js';
import github from './github.js';
import json from './json.js';
import junit from './junit.js';
import mail from './mail.js';
import sarif from './sarif.js';
import stylish from './stylish.js';
import type { Formatter } from './types.js';

export const formatters: ReadonlyMap<string, Formatter> = new Map([
  ['stylish', stylish],
  ['json', json],
  ['sarif', sarif],
  ['junit', junit],
  ['github', github],
  ['mail', mail],
  ['gcc', gcc],
]);

export type { CheckResult, Formatter, FormatOptions, RuleInfo } from './types.js';
