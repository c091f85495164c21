// The built entry point (bin/snitchmap → dist/src/cli/main.js): help, version and usage errors.
// Needs `npx tsc -p tsconfig.build.json` (part of `npm run build`) first.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../../..');
const main = join(repo, 'dist/src/cli/main.js');

function cli(...args: string[]) {
  if (!existsSync(main)) throw new Error(`${main} is missing: run 'npx tsc -p tsconfig.build.json' first`);
  const result = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 10_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('snitchmap entry point', () => {
  it('prints the package version', () => {
    const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
    expect(cli('--version')).toEqual({ code: 0, out: `snitchmap ${version}\n`, err: '' });
  });

  it('prints help for each command, with the /proc blind spots', () => {
    const main = cli('--help');
    expect(main.code).toBe(0);
    expect(main.out).toMatch(/Commands:\n {2}watch.*\n {2}serve/);
    const watch = cli('watch', '--help');
    expect(watch.code).toBe(0);
    expect(watch.out).toMatch(/--duration SEC/);
    expect(watch.out).toMatch(/misses connections that open and close between two polls/);
    expect(cli('serve', '-h').out).toMatch(/127\.0\.0\.1/);
  });

  it('exits 2 with a hint on usage errors', () => {
    const unknown = cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe("snitchmap: unknown command 'frobnicate'\nTry 'snitchmap --help'.\n");
    const option = cli('watch', '--bogus');
    expect(option.code).toBe(2);
    expect(option.err).toMatch(/unknown option '--bogus' for watch\nTry 'snitchmap watch --help'\./);
    expect(cli('serve', '--port', '99999').code).toBe(2);
    expect(cli('watch', '--home', 'nowhere').code).toBe(2);
  });
});
