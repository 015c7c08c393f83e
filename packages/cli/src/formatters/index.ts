import json from './json.js';
import stylish from './stylish.js';
import type { Formatter } from './types.js';

export const formatters: ReadonlyMap<string, Formatter> = new Map([
  ['stylish', stylish],
  ['json', json],
]);

export type { CheckResult, Formatter, FormatOptions } from './types.js';
