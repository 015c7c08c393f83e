import { createRule, describeStep, type FailureEvent, formatLocation, GENERIC_ARCH, type SetUp } from '@kvm-rules/core';

/** One step left set up, with every failure point of its function that leaves it so. */
interface Leak {
  setUp: SetUp;
  /** The failure paths that leave it set up: one at least. */
  failures: [FailureEvent, ...FailureEvent[]];
}

function whatStays(setUp: SetUp): string {
  const [first, ...rest] = setUp.what;
  const more = rest.length > 2 ? `${rest.slice(0, 2).join(', ')} and ${rest.length - 2} more` : rest.join(', ');
  return `${[first, more].filter(Boolean).join(', ')} ${setUp.what.length > 1 ? 'stay' : 'stays'} set up`;
}

export default createRule<[], 'notUndone' | 'guardNotUndone' | 'errorLost'>({
  name: 'unwind-on-failure',
  meta: {
    type: 'problem',
    docs: {
      description:
        "Whatever an init function set up before a step that can fail is undone on that step's failure path: in module init, in the setup hooks kvm_init() runs, and in kvm_init() itself.",
      recommended: true,
    },
    messages: {
      notUndone:
        '{{function}}(): {{failing}} can fail, but its failure path does not undo {{setUp}}: {{what}}; call {{undo}}() before returning the error ({{evidence}}){{others}}',
      guardNotUndone:
        '{{function}}() returns an error at `{{text}}` without undoing {{setUp}}: {{what}}; call {{undo}}() before returning the error ({{evidence}}){{others}}',
      errorLost:
        '{{function}}(): {{failing}} can fail, but {{paths}} success at `{{text}}`: {{lost}}, and the caller takes the init for done; return the error',
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    let leaks = new Map<string, Leak>();
    let lostAt = new Map<string, FailureEvent[]>();

    /** The failure paths that end returning success at one return: the error each lost. */
    function reportLost(events: FailureEvent[]): void {
      const [first] = events;
      const lost = first?.failure.returnsSuccess;
      if (!first || !lost) return;
      const failing = events.map((event) => (event.failure.failing ? describeStep(event.failure.failing) : `\`${event.failure.text}\``));
      context.report({
        node: first,
        location: lost.location,
        messageId: 'errorLost',
        ...(first.owner === 'kvm-init' ? { arch: GENERIC_ARCH } : {}),
        data: {
          function: first.unwinding.function,
          failing: [...new Set(failing)].join(' and '),
          paths: events.length > 1 ? 'their failure paths return' : 'its failure path returns',
          lost: events.length > 1 ? 'the errors are lost' : 'the error is lost',
          text: lost.text,
        },
        related: events.map((event, i) => ({ message: `${failing[i]} fails here`, location: event.location })),
      });
    }

    function report(leak: Leak): void {
      const [first, ...others] = leak.failures;
      const { failure, unwinding, owner } = first;
      const { setUp } = leak;
      const related = [{ message: `${describeStep(setUp)} sets it up here`, location: setUp.location }];
      if (setUp.evidence.location) related.push({ message: `evidence: ${setUp.evidence.text}`, location: setUp.evidence.location });
      for (const other of others) {
        const what = other.failure.failing ? `${describeStep(other.failure.failing)} fails` : `\`${other.failure.text}\``;
        related.push({ message: `the same when ${what} here`, location: other.location });
      }
      context.report({
        node: first,
        messageId: failure.failing ? 'notUndone' : 'guardNotUndone',
        ...(owner === 'kvm-init' ? { arch: GENERIC_ARCH } : {}),
        data: {
          function: unwinding.function,
          failing: failure.failing ? describeStep(failure.failing) : '',
          text: failure.text,
          setUp: describeStep(setUp),
          what: whatStays(setUp),
          undo: setUp.undo,
          evidence: setUp.evidence.text,
          others: others.length > 0 ? `; the same at ${others.length} more failure point${others.length > 1 ? 's' : ''}` : '',
        },
        related,
      });
    }

    return {
      Timeline() {
        leaks = new Map();
        lostAt = new Map();
      },
      Failure(event) {
        const lost = event.failure.returnsSuccess;
        if (lost) {
          // One finding per return that loses errors, however many failure paths end there.
          const key = `${event.unwinding.function}\0${formatLocation(lost.location)}`;
          lostAt.set(key, [...(lostAt.get(key) ?? []), event]);
        }
        for (const setUp of event.failure.missing) {
          const key = `${event.unwinding.function}\0${setUp.step}\0${setUp.location.line}`;
          const leak = leaks.get(key);
          if (leak) leak.failures.push(event);
          else leaks.set(key, { setUp, failures: [event] });
        }
      },
      'Timeline:exit'() {
        for (const events of lostAt.values()) reportLost(events);
        for (const leak of leaks.values()) report(leak);
      },
    };
  },
});
