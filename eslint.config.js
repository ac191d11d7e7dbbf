// ESLint's recommended rules, typescript-eslint's (without type information, so a lint of the
// whole tree stays a few seconds) and React's rules of hooks. `tsc --noEmit` checks the types.
import js from '@eslint/js'
import globals from 'globals'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['build/', 'public/build/', 'node_modules/', 'db/bench/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // A suppression that no longer suppresses anything fails the lint.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // Kysely<any> is Kysely's own idiom for code that works on any schema: migrations frozen
      // in time, the dialect helpers, query builders generic over their tables.
      '@typescript-eslint/no-explicit-any': 'off',
      // An interface that only extends another is how a module augmentation adds its fields.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      // `_`-prefixed names are left unused on purpose (a destructured field dropped from a row).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Remix's generated type references.
    files: ['remix.env.d.ts'],
    rules: { '@typescript-eslint/triple-slash-reference': 'off' },
  },
  {
    // CommonJS helpers loaded with --require.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
