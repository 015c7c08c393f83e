import type { Formatter } from './types.js';

/** The stable machine-readable contract: key order and finding order are fixed. */
const json: Formatter = (result) =>
  JSON.stringify(
    {
      profile: result.profile,
      archs: result.archs,
      ...(result.kernel ? { kernel: result.kernel } : {}),
      findings: result.findings,
      summary: result.summary,
      ...(result.baseline ? { baseline: result.baseline } : {}),
      ...(result.stats ? { stats: result.stats } : {}),
    },
    null,
    2,
  ) + '\n';

export default json;
