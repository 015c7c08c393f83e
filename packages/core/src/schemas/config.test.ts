import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { schemaKey } from '../load/ajv-options.js';
import { InputError } from '../load/input-error.js';
import { validateSource } from '../load/validate.js';
import { parseSourceText } from '../load/yaml-source.js';
import { configSchema } from './index.js';

const require = createRequire(import.meta.url);

function problem(text: string): string {
  try {
    validateSource(parseSourceText(text, 'kvm-rules.config.yaml'), configSchema);
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('the config schema', () => {
  it('is compiled at build time with the other file schemas', () => {
    const { byKey } = require('../../dist/validators.cjs') as { byKey: Map<string, unknown> };
    expect(byKey.has(schemaKey(configSchema))).toBe(true);
  });

  it('accepts every key in both rule forms', () => {
    const text = [
      'plugins: [my-plugin]',
      'rulesDirs: [rules]',
      'profile: v6.12',
      'kernel: ../linux',
      'archs: [x86-vmx]',
      'rules:',
      '  integrity: off',
      '  kvm-init-last: { severity: error, options: { exceptions: [] } }',
      'exceptions:',
      '  - { arch: mips, rule: kvm-init-last, reason: fixed in the next series }',
      'ignores:',
      '  - { file: "arch/powerpc/**", reason: reviewed by the powerpc maintainers }',
    ].join('\n');
    const config = validateSource(parseSourceText(text, 'c.yaml'), configSchema);
    expect(config.rules).toEqual({ integrity: 'off', 'kvm-init-last': { severity: 'error', options: { exceptions: [] } } });
  });

  it('reports a rule setting against the form it was written in, without anyOf noise', () => {
    expect(problem('rules:\n  integrity: warn\n')).toBe('kvm-rules.config.yaml:2:14: /rules/integrity: must be one of "error", "warning", "off"');
    expect(problem('rules:\n  integrity: { severty: off }\n')).toBe(
      'kvm-rules.config.yaml:2:16: /rules/integrity: unknown key "severty" (did you mean "severity"?)',
    );
    expect(problem('rules:\n  integrity: { options: [] }\n')).toBe('kvm-rules.config.yaml:2:25: /rules/integrity/options: must be an object');
  });

  it('points at a rule id that is not an id', () => {
    expect(problem('rules:\n  Integrity: off\n')).toBe(
      'kvm-rules.config.yaml:2:3: /rules: key "Integrity" is not valid here (must match ^[a-z0-9][a-z0-9._-]*$)',
    );
  });

  it('wants a reason of at least 10 characters for exceptions and ignores', () => {
    expect(problem('exceptions:\n  - { arch: mips, rule: kvm-init-last }\n')).toBe('kvm-rules.config.yaml:2:5: /exceptions/0: missing required key "reason"');
    expect(problem('ignores:\n  - { arch: mips, reason: later }\n')).toBe(
      'kvm-rules.config.yaml:2:27: /ignores/0/reason: must NOT have fewer than 10 characters',
    );
  });
});
