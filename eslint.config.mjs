import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'wasm/', 'out/', 'out-*/', 'sessions-out/', 'node_modules/', '.cache/', 'test-results/', '**/*.d.ts', 'src/intake/proto/otlpTraceProto.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The core runs without VS Code (CLI, fast tests): only the adapters may import it.
    files: ['src/**/*.ts'],
    ignores: ['src/extension.ts', 'src/vscode/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/vscode/ and src/extension.ts may import vscode.' }] }],
    },
  },
  {
    files: ['**/*.mjs', 'scripts/**/*.js', 'src/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
);
