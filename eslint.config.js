// The folders are process boundaries (docs/design.md "Layout"); this config keeps them honest.
// Each block says what one folder may not import. `no-restricted-imports` sees every static import.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = { group: ['node:*'], message: 'this layer runs in a browser: no Node built-ins' };
const electron = { group: ['electron', 'electron/*'], message: 'only src/main and src/preload import Electron' };
const native = { group: ['**/native/*', '**/native'], message: 'only src/helper loads the addon (it touches the kernel)' };
const helper = { group: ['**/helper/*'], message: 'src/helper is a separate root process: spawn it, never import it' };
const ui = { group: ['**/renderer/*', '**/main/*', '**/preload/*'], message: 'UI layers are not importable from here' };
const core = { group: ['**/core/*'], message: 'this layer may not import the engine' };
const cli = { group: ['**/cli/*'], message: 'src/cli is an entry point, not a library' };
const common = { group: ['**/common/*'], message: 'src/common is Node-only (/proc, pipes): the browser layers and contracts may not import it' };

function layer(files, patterns) {
  return { files, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'native/build/**', 'build/**', 'node_modules/**', 'test-results/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Plain .mjs/.js scripts (build steps, benchmarks, test fixtures) run under Node.
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: globals.node },
    // Some scripts also name their globals in a /* global */ comment; that is not a redeclaration.
    rules: { 'no-redeclare': ['error', { builtinGlobals: false }] },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-expect-error': 'allow-with-description' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  layer(['src/shared/**'], [nodeBuiltins, electron, native, helper, ui, core, cli, common]),
  // Node-only code shared by native, helper, core and cli: contracts (src/shared) and Node built-ins only.
  layer(['src/common/**'], [electron, native, helper, ui, core, cli]),
  layer(['src/core/**'], [electron, native, helper, ui, cli]),
  layer(['src/helper/**'], [electron, ui, core, cli]),
  layer(['src/cli/**'], [electron, native, helper, ui]),
  layer(['src/main/**'], [native, helper, { group: ['**/renderer/*'], message: 'main never imports the renderer' }, cli]),
  layer(['src/preload/**'], [native, helper, core, cli, common, { group: ['**/renderer/*', '**/main/*'], message: 'preload only bridges' }]),
  layer(['src/renderer/**', 'src/web-transport/**'], [nodeBuiltins, electron, native, helper, core, cli, common, { group: ['**/main/*', '**/preload/*'], message: 'the renderer talks only to window.snitchmap' }]),
  layer(['native/*.ts', 'native/generated/*.ts'], [electron, helper, ui, core, cli]),
);
