// package.json, README.md and .gitignore of a new plugin package.
import type { DependencyPlan } from '../dependencies.js';
import type { PluginNames } from '../names.js';

/** Where the manifest came from: a kernel tree (its version and arch directory), or the template. */
export interface ManifestOrigin {
  kernel?: { version: string; archDir: string };
}

export function packageJson(names: PluginNames, plan: DependencyPlan): string {
  const pkg = {
    name: names.packageName,
    version: '0.1.0',
    description: `kvm-rules plugin: the KVM module init of ${names.id} and a rule of its own.`,
    type: 'module',
    keywords: ['kvm-rules-plugin'],
    'kvm-rules': { apiVersion: 1, manifests: ['./plugin.yaml'], rules: './rules', kinds: './kinds.js' },
    files: ['plugin.yaml', 'kinds.js', 'rules', 'docs'],
    scripts: { test: 'vitest run' },
    dependencies: plan.dependencies,
    devDependencies: plan.devDependencies,
    ...(plan.overrides ? { overrides: plan.overrides } : {}),
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

export function gitignore(): string {
  return 'node_modules\n';
}

export function readme(names: PluginNames, plan: DependencyPlan, origin: ManifestOrigin, profile: string): string {
  const { id, packageName, kind } = names;
  return `# ${packageName}

A kvm-rules plugin: what the KVM module init of \`${id}\` does, in order,
and what its hooks need (\`plugin.yaml\`), with a rule of its own (\`${kind}\`).

| File | What |
| --- | --- |
| \`plugin.yaml\` | the arch manifest: module inits, phases, hook implementations, state |
| \`kinds.js\` | the plugin's rule kinds (plain JavaScript with JSDoc types; no build step) |
| \`rules/${kind}.yaml\` | the rule that turns the kind on, with its severity and options |
| \`docs/rules/${kind}.md\` | the kind's page (\`npx kvm-rules explain ${kind} --plugin .\` shows it) |
| \`test/\` | the rule's cases, the pages against the kinds, and the plugin's findings under ${profile} |

## Install and test

\`\`\`sh
npm install
npm test
\`\`\`

\`test/plugin.test.js\` lists the findings the default rule set and this plugin's rule have
about \`${id}\` under the profile ${profile}, as \`kvm-rules new-plugin\` found them when it
wrote the package. Review them; then keep the list true as \`plugin.yaml\` changes.

${manifestSection(names, origin)}
## Check against a kernel tree

\`\`\`sh
npx kvm-rules check --plugin . --kernel <linux tree> --rule plugin-drift:error
\`\`\`

With \`--kernel\`, kvm-rules reads the module init and the hooks from the tree's C and reports
where they differ from \`plugin.yaml\` (\`plugin-drift\`). Drift is a warning that does not fail a
kernel's check; in this package's CI, \`--rule plugin-drift:error\` makes it fail. Without
\`--kernel\`, the declarations are checked under a profile: \`npx kvm-rules check --plugin . --profile ${profile}\`.

## Publish

\`\`\`sh
npm publish
\`\`\`
${plan.checkout ? '\nFirst make its `@kvm-rules/*` dependencies version ranges (see below): a published package\ncannot depend on tarballs of your checkout.\n' : ''}
Name the plugin in a check with \`--plugin ${id}\` (kvm-rules looks up \`${packageName}\`) or in
\`kvm-rules.config.*\`. Kind and rule ids are global across every loaded plugin, which is why the
rule's id starts with \`${id}-\`.

${dependencySection(plan)}`;
}

function manifestSection({ id, c }: PluginNames, origin: ManifestOrigin): string {
  if (origin.kernel) {
    return `## Confirm the derived entries

\`plugin.yaml\` was derived from Linux ${origin.kernel.version} ${origin.kernel.archDir}: every entry
marked \`# derived: confirm, FILE:LINE\` says where in the source it comes from. Read each place,
correct what the reading got wrong, remove the mark, and write a summary for the arch and for
each phase, hook and state.
`;
  }
  return `## Fill in the manifest

\`plugin.yaml\` declares one module init, \`kvm_${c}_init()\`, that only calls
\`kvm_init()\`; its comments say what to declare around it. To derive it from a kernel tree
instead, every derived entry marked for you to confirm:
\`kvm-rules new-plugin ${id} --kernel <linux tree> --arch-dir arch/<arch>/kvm --out <new folder>\`.
`;
}

function dependencySection(plan: DependencyPlan): string {
  if (!plan.checkout) {
    return `## Dependencies

\`@kvm-rules/core\` (the kinds' \`createRule()\`), and for development \`kvm-rules\` (the
\`kvm-rules\` command), \`@kvm-rules/rules\` (the default rule set the tests run),
\`@kvm-rules/rule-tester\` and \`vitest\`, as semver ranges of the kvm-rules release that wrote
the package.
`;
  }
  return `## Dependencies: local packages

This package was written by a kvm-rules checkout (${plan.checkout}), whose packages are in no
registry yet. Its \`@kvm-rules/*\` dependencies are therefore tarballs that \`npm pack\` made of
that checkout, in ${plan.checkout}/.cache/packages/, the way \`npm publish\` would pack them;
\`overrides\` make every \`@kvm-rules/*\` package that another one depends on the same tarball.
(Not the package folders: linked, @kvm-rules/rule-tester would load the checkout's own vitest
beside this package's; copied with \`install-links\`, npm resolves the overrides of the folders
that only the CLI depends on against the wrong folder.)

After the checkout changes and is built again, any \`kvm-rules new-plugin\` run from it packs it
again; then run \`rm -rf node_modules package-lock.json && npm install\` here. Once the packages
are published, replace each \`file:\` spec by a version range and remove \`overrides\`.
`;
}
