import type { Formatter } from './types.js';

/** The stable machine-readable contract: key order and finding order are fixed. */
const json: Formatter = (result) =>
  JSON.stringify(
    { profile: result.profile, archs: result.archs, findings: result.findings, summary: result.summary },
    null,
    2,
  ) + '\n';

export default json;
