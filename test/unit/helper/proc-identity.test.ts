import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readStartTime } from '../../../src/common/proc-pid.js';
import { ProcIdentity } from '../../../src/helper/proc-identity.js';

const roots: string[] = [];

/** A fake /proc with one process: stat (comm with spaces and parentheses), exe link, cmdline. */
function fakeProc(pid: number, startTime: number, exe: string, argv: string[]): string {
  const root = roots.at(-1) ?? mkdtempSync(join(tmpdir(), 'sm-proc-'));
  if (!roots.includes(root)) roots.push(root);
  const dir = join(root, String(pid));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rest = Array.from({ length: 30 }, (_, i) => (i === 19 ? String(startTime) : '0'));
  writeFileSync(join(dir, 'stat'), `${pid} (evil) (name 1) ${['S', ...rest.slice(1)].join(' ')}\n`);
  symlinkSync(exe, join(dir, 'exe'));
  writeFileSync(join(dir, 'cmdline'), `${argv.join('\0')}\0`);
  return root;
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('process identity from /proc', () => {
  it('reads the start time after the last parenthesis of comm', () => {
    const root = fakeProc(100, 5555, '/usr/bin/curl', ['curl', 'x']);
    expect(readStartTime(root, 100)).toBe(5555);
    expect(readStartTime(root, 101)).toBeNull();
  });

  it('reads exe and cmdline when the start time matches', () => {
    const root = fakeProc(100, 5555, '/usr/bin/curl', ['curl', '-s', 'https://example.org']);
    const identity = new ProcIdentity(root);
    expect(identity.lookup(100, 5555)).toEqual({ exe: '/usr/bin/curl', cmdline: 'curl -s https://example.org' });
  });

  it('never returns another process after PID reuse, even with a cached entry', () => {
    const root = fakeProc(100, 5555, '/usr/bin/curl', ['curl']);
    const identity = new ProcIdentity(root);
    expect(identity.lookup(100, 5555).exe).toBe('/usr/bin/curl');
    fakeProc(100, 9999, '/usr/bin/ssh', ['ssh', 'host']);
    expect(identity.lookup(100, 5555)).toEqual({ exe: '/usr/bin/curl', cmdline: 'curl' }); // cached while it lived
    expect(identity.lookup(100, 7777)).toEqual({ exe: null, cmdline: null });
    expect(identity.lookup(100, 9999)).toEqual({ exe: '/usr/bin/ssh', cmdline: 'ssh host' });
  });

  it('returns null identity for a process that is gone', () => {
    const root = fakeProc(100, 5555, '/usr/bin/curl', ['curl']);
    expect(new ProcIdentity(root).lookup(12345, 1)).toEqual({ exe: null, cmdline: null });
  });

  it('re-reads after exec, which keeps the start time but changes the image', () => {
    const root = fakeProc(100, 5555, '/usr/bin/bash', ['bash']);
    const identity = new ProcIdentity(root);
    expect(identity.lookup(100, 5555).exe).toBe('/usr/bin/bash');
    fakeProc(100, 5555, '/usr/bin/wget', ['wget', 'x']);
    identity.refresh(100, 5555);
    rmSync(join(root, '100'), { recursive: true });
    // The exec-time read keeps the name after the short-lived process exited.
    expect(identity.lookup(100, 5555)).toEqual({ exe: '/usr/bin/wget', cmdline: 'wget x' });
  });

  it('bounds a huge cmdline', () => {
    const root = fakeProc(100, 1, '/bin/x', ['x', 'a'.repeat(100_000)]);
    expect(new ProcIdentity(root).lookup(100, 1).cmdline?.length).toBe(4096);
  });
});
