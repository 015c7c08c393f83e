import { createRule, type PhaseEvent } from '@kvm-rules/core';

export default createRule<[], 'notUndone'>({
  name: 'unwind-on-failure',
  meta: {
    type: 'problem',
    docs: {
      description: 'Whatever module init registered before a step that can fail is undone on that step\'s failure path.',
      recommended: true,
    },
    messages: {
      notUndone:
        '"{{failing}}" ({{failingCall}}()) can fail, but its failure path does not undo "{{phase}}": {{what}} stays registered; call {{undo}}() before returning the error',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    let registered: PhaseEvent[] = [];
    return {
      Timeline() {
        registered = [];
      },
      Phase(event) {
        const { phase } = event;
        if (phase.canFail) {
          for (const earlier of registered) {
            if (phase.unwinds.includes(earlier.phase.id)) continue;
            context.report({
              node: event,
              messageId: 'notUndone',
              data: {
                failing: phase.id,
                failingCall: phase.call,
                phase: earlier.phase.id,
                what: earlier.phase.registers.join(', ') || `what ${earlier.phase.call}() set up`,
                undo: earlier.phase.undo ?? 'its undo',
              },
              related: [{ message: `"${earlier.phase.id}" registers it here`, location: earlier.location }],
            });
          }
        }
        if (phase.undo || phase.registers.length > 0) registered.push(event);
      },
    };
  },
});
