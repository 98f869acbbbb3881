import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
      // One import line per module (a type-only line beside it is the consistent-type-imports style).
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
    },
  },
  // The layout's rules that ESLint can say where the code is written (test/layout.test.ts adds
  // the layers and cycles): size, and the two libraries each kept behind one folder.
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'Name what a module offers: no export *.' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/collector/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['@kubernetes/client-node', '@kubernetes/client-node/*'], message: 'Only src/collector talks to the API server.' }] }] },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/delivery/otel/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['@opentelemetry/*'], message: 'Only src/delivery/otel uses the OpenTelemetry SDK.' }] }] },
  },
  {
    files: ['bin/**/*.js', 'bench/**/*.ts', 'test/**/*.ts'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
);
