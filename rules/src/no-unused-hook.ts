import { createRule, GENERIC_ARCH } from '@kvm-rules/core';

export default createRule<[], 'unusedWeakHook'>({
  name: 'no-unused-hook',
  meta: {
    type: 'suggestion',
    docs: {
      description: 'A hook that the profile gives a __weak default, and that none of the analyzed archs implements, should not be introduced.',
      recommended: true,
    },
    messages: {
      unusedWeakHook:
        '{{name}}() ({{role}}) has a __weak default in {{profile}} but no analyzed arch implements it ({{count}} analyzed); introduce it with its first user',
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    return {
      Check(check) {
        for (const hook of check.profile.hooks.values()) {
          if (!hook.weak) continue;
          if (check.plugins.some((plugin) => plugin.hooks.has(hook.role))) continue;
          context.report({
            node: check,
            arch: GENERIC_ARCH,
            location: hook.location,
            messageId: 'unusedWeakHook',
            data: { name: hook.name, role: hook.role, profile: check.profile.id, count: check.plugins.length },
          });
        }
      },
    };
  },
});
