#!/usr/bin/env node
// The errors kvm-rules finds in a Linux tree, one line each, checked from a script through the
// Checker (docs/api.md): node errors-in-tree.mjs ~/linux [arch...]
import { createChecker } from 'kvm-rules';

const [tree = '.', ...archs] = process.argv.slice(2);
// The built-in rule set and arch plugins, the archs asked for (all without any), and the kernel
// reader: what `kvm-rules check --kernel TREE --arch …` checks with.
const checker = await createChecker({ archs });
const { kernel, findings } = await checker.check({ kernel: tree });
const errors = findings.filter((finding) => finding.severity === 'error');
for (const { arch, ruleId, message, location } of errors) {
  console.log(`${location?.file}:${location?.line}: ${arch}: ${message} [${ruleId}]`);
}
console.log(`Linux ${kernel?.version}: ${errors.length} errors`);
process.exitCode = errors.length > 0 ? 1 : 0;
