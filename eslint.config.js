// One lint configuration for every package; `npm run lint` runs it through turbo. The strict,
// type-aware sets of typescript-eslint, over every package's src and test and rules/src, with
// the type information of each package's tsconfig.json (which includes its tests).
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const nonNullOnlyAfterIndex = {
  selector:
    'TSNonNullExpression:not([expression.type="MemberExpression"][expression.computed=true]):not([expression.type="CallExpression"][expression.callee.property.name="at"])',
  message: 'A non-null assertion only after a checked index (x[i]!, x.at(i)!); narrow anything else (a check, ?., ??).',
};

export default defineConfig(
  { ignores: ['**/dist/**', '**/node_modules/**', '.cache/**'] },
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Counts, lines and columns are what messages are made of; a number prints as it should.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // With noUncheckedIndexedAccess, `x[i]!` (or `x.at(i)!`) after a checked index (a loop bound,
      // a length, a regex group that matched) is this project's idiom; any other non-null
      // assertion is narrowed instead, which the no-restricted-syntax entry below enforces.
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-syntax': ['error', nonNullOnlyAfterIndex],
    },
  },
  // The test files of a worker share one process (vitest.shared.mjs, isolate: false): what a
  // test changes of process.env it changes with vi.stubEnv, which vitest undoes before the next.
  {
    files: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        nonNullOnlyAfterIndex,
        ...[
          'AssignmentExpression > MemberExpression.left[object.name="process"][property.name="env"]',
          'AssignmentExpression > MemberExpression.left[object.object.name="process"][object.property.name="env"]',
          'UnaryExpression[operator="delete"] > MemberExpression.argument[object.object.name="process"][object.property.name="env"]',
        ].map((selector) => ({
          selector,
          message: 'Change process.env with vi.stubEnv(name, value or undefined): vitest undoes it before the next test.',
        })),
      ],
    },
  },
  // Plain JavaScript (this file, the scripts) has no type information to lint with, nor do the
  // scripts' declaration files, which no tsconfig includes (the tests that import a script
  // typecheck them).
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs', 'scripts/**/*.d.mts'], extends: [tseslint.configs.disableTypeChecked] },
);
