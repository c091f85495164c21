// The real root helper as a process (real addon): junk and oversized stdin lines get error
// messages and it lives on; closing stdin (or killing its parent) makes it exit within 1 s, and
// every BPF program it held is gone from the kernel afterwards.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scaled } from '../support/time-scale.js';
import { kernelGate } from '../support/kernel-gate.js';
import { exitedWithin } from '../support/pid-exit.js';
import { json, watchLines } from './fixtures/watch-lines.js';

const repo = resolve(import.meta.dirname, '../..');
const helperMain = join(repo, 'dist/src/helper/main.js');
const gate = kernelGate([helperMain, join(repo, 'dist/native/index.js'), join(repo, 'dist/src/cli/main.js')]);
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** BPF program ids held by a process (its prog and link fds). */
function programIds(pid: number): number[] {
  const ids = new Set<number>();
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    } catch {
      continue;
    }
    const match = /^prog_id:\s*(\d+)/m.exec(text);
    if (match?.[1] !== undefined) ids.add(Number(match[1]));
  }
  return [...ids];
}

function programExists(id: number): boolean {
  try {
    execFileSync('bpftool', ['prog', 'show', 'id', String(id)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(gate.skip)('the root helper process', () => {
  it('answers junk, oversized and unknown lines with errors, lives on, and exits within 1 s of stdin closing with nothing left attached', async () => {
    const helper = spawn(process.execPath, [helperMain], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(helper);
    const out = watchLines(helper);
    const hello = await out.waitFor('hello', (line) => (json(line)?.t === 'hello' ? json(line) : undefined));
    expect(hello).toMatchObject({ protocol: 1, capture: 'ebpf', pid: helper.pid });
    const ids = programIds(helper.pid ?? 0);
    expect(ids.length).toBeGreaterThan(0);

    helper.stdin?.write('not json at all\n');
    helper.stdin?.write(`${'A'.repeat(100_000)}\n`);
    helper.stdin?.write('{"cmd":"load","path":"/tmp/evil.o"}\n');
    helper.stdin?.write('{"cmd":"ping","id":77}\n');
    await out.waitFor('pong', (line) => (json(line)?.t === 'pong' && json(line)?.id === 77 ? true : undefined));
    const errors = out.lines.map(json).filter((m) => m?.t === 'error');
    expect(errors.map((m) => m?.code)).toEqual(['bad-command', 'line-too-long', 'bad-command']);

    helper.stdin?.end();
    const ms = await exitedWithin(helper.pid ?? 0, scaled(1000));
    expect(ms).toBeLessThan(scaled(1000));
    expect(json(out.lines.at(-1) ?? '')).toEqual({ t: 'bye', reason: 'stdin closed' });
    expect(ids.filter(programExists)).toEqual([]);
  });

  it('exits within 1 s when the CLI that started it is killed with SIGKILL', async () => {
    const watch = spawn(join(repo, 'bin/snitchmap'), ['watch', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(watch);
    await watchLines(watch).waitFor('hello', (line) => (json(line)?.type === 'hello' ? true : undefined));
    const helperPid = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, ppid, ...args]) => Number(ppid) === watch.pid && args.join(' ').includes('helper/main.js'))
      .map(([pid]) => Number(pid))[0];
    expect(helperPid).toBeGreaterThan(0);
    const ids = programIds(helperPid ?? 0);
    watch.kill('SIGKILL');
    const ms = await exitedWithin(helperPid ?? 0, scaled(1000));
    expect(ms).toBeLessThan(scaled(1000));
    expect(ids.filter(programExists)).toEqual([]);
  });
});
