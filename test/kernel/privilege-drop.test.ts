// `sudo snitchmap watch` must not run the engine (DNS parsing, GeoIP, the web server of serve) as
// root. The attack: run the CLI as root the way sudo leaves it (SUDO_UID/SUDO_GID of a user, root's
// HOME, and a NODE_OPTIONS that loads a file) and look at the processes: the CLI, which hosts the
// engine, must have the user's real/effective/saved/fs uid and gid and the user's groups from
// /etc/group; its child, the helper, must still be root (it attached the programs: eBPF capture),
// and must not have inherited NODE_OPTIONS. Without SUDO_UID/PKEXEC_UID the CLI becomes nobody.
// Then the helper must still stop with its parent: on SIGTERM, and when the parent is SIGKILLed.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { kernelGate } from '../support/kernel-gate.js';
import { exitedWithin } from '../support/pid-exit.js';
import { scaled } from '../support/time-scale.js';
import { json, watchLines } from './fixtures/watch-lines.js';

const repo = resolve(import.meta.dirname, '../..');
const cli = join(repo, 'dist/src/cli/main.js');
const gate = kernelGate([cli, join(repo, 'dist/src/helper/main.js'), join(repo, 'dist/native/index.js')]);
const children: ChildProcess[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'sm-drop-'));

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Account {
  name: string;
  uid: number;
  gid: number;
}

function accounts(): Account[] {
  return readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .filter((fields) => fields.length >= 7 && /^\d+$/.test(fields[2] ?? '') && /^\d+$/.test(fields[3] ?? ''))
    .map(([name, , uid, gid]) => ({ name: name ?? '', uid: Number(uid), gid: Number(gid) }));
}

/** The groups initgroups(3) would give `user`: the primary group and every /etc/group entry listing the user. */
function groupsOf(user: Account): number[] {
  const groups = new Set([user.gid]);
  for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
    const [, , gid, members] = line.split(':');
    if (members?.split(',').includes(user.name)) groups.add(Number(gid));
  }
  return [...groups].sort((a, b) => a - b);
}

/** The test user: the unprivileged account with the most supplementary groups (daemon on a fresh Debian). */
function testUser(): Account {
  const candidates = accounts().filter((a) => a.uid > 0 && a.gid > 0 && a.name !== 'nobody' && a.uid < 65534);
  candidates.sort((a, b) => groupsOf(b).length - groupsOf(a).length || a.uid - b.uid);
  const user = candidates[0];
  if (user === undefined) throw new Error('/etc/passwd has no unprivileged account to drop to');
  return user;
}

interface Ids {
  uid: number[];
  gid: number[];
  groups: number[];
}

function idsOf(pid: number): Ids {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number[] =>
    (status.split('\n').find((line) => line.startsWith(`${name}:`)) ?? '')
      .slice(name.length + 1)
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  return { uid: field('Uid'), gid: field('Gid'), groups: field('Groups').sort((a, b) => a - b) };
}

/** The helper: the child of `parent` running dist/src/helper/main.js. */
function helperOf(parent: number): number {
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('helper/main.js')) return Number(entry);
    } catch {
      continue; // exited meanwhile
    }
  }
  throw new Error(`no helper child of ${parent}`);
}

/** `snitchmap watch --json` as root with `env`; resolves once it said hello. */
async function rootWatch(env: NodeJS.ProcessEnv) {
  const marker = join(scratch, `loaded-${children.length}`);
  const preload = join(scratch, `preload-${children.length}.cjs`);
  // What NODE_OPTIONS can make a node process load: here it only records who loaded it.
  writeFileSync(preload, `require('node:fs').appendFileSync(${JSON.stringify(marker)}, process.pid + '\\n');\n`);
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SUDO_') && key !== 'PKEXEC_UID'));
  const watch = spawn(process.execPath, [cli, 'watch', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...base, HOME: '/root', NODE_OPTIONS: `--require ${preload}`, ...env },
  });
  children.push(watch);
  const lines = watchLines(watch);
  const hello = await lines.waitFor('hello', (line) => (json(line)?.type === 'hello' ? json(line) : undefined), scaled(60_000));
  const loadedBy = (): number[] => readFileSync(marker, 'utf8').split('\n').filter(Boolean).map(Number);
  return { watch, hello, lines, pid: watch.pid ?? 0, loadedBy };
}

describe.skipIf(gate.skip)('root-run CLI privilege drop', () => {
  it("sudo: the engine runs with the caller's uid, gid and groups; the helper stays root and did not inherit NODE_OPTIONS", async () => {
    const user = testUser();
    const run = await rootWatch({ SUDO_UID: String(user.uid), SUDO_GID: String(user.gid), SUDO_USER: user.name });
    expect(run.hello).toMatchObject({ capture: 'ebpf' });

    const engine = idsOf(run.pid);
    expect(engine.uid).toEqual([user.uid, user.uid, user.uid, user.uid]);
    expect(engine.gid).toEqual([user.gid, user.gid, user.gid, user.gid]);
    expect(engine.groups).toEqual(groupsOf(user));
    expect(engine.groups).not.toContain(0);

    const helper = helperOf(run.pid);
    expect(idsOf(helper).uid).toEqual([0, 0, 0, 0]);
    expect(readFileSync(`/proc/${helper}/environ`, 'utf8').split('\0')).not.toContainEqual(expect.stringMatching(/^NODE_OPTIONS=/));
    expect(run.loadedBy()).toEqual([run.pid]); // the preload ran in the CLI (root gave it), never in the helper

    // SIGTERM (what a service manager or `kill` sends) ends both.
    run.watch.kill('SIGTERM');
    await exitedWithin(helper, scaled(5000));
    await exitedWithin(run.pid, scaled(5000));
  });

  it('no SUDO_UID or PKEXEC_UID: the engine runs as nobody with no supplementary groups', async () => {
    const nobody = accounts().find((a) => a.name === 'nobody') ?? { name: 'nobody', uid: 65534, gid: 65534 };
    const run = await rootWatch({});
    const engine = idsOf(run.pid);
    expect(engine.uid).toEqual([nobody.uid, nobody.uid, nobody.uid, nobody.uid]);
    expect(engine.gid).toEqual([nobody.gid, nobody.gid, nobody.gid, nobody.gid]);
    expect(engine.groups).toEqual([]);
    const helper = helperOf(run.pid);
    expect(idsOf(helper).uid).toEqual([0, 0, 0, 0]);

    // The dropped parent dies without a word: the helper (root) sees stdin close and exits.
    run.watch.kill('SIGKILL');
    await exitedWithin(helper, scaled(2000));
  });

  it('serve: Retry after the drop cannot start a root helper: the old one stops, /proc takes over with a banner, serve lives on', async () => {
    const user = testUser();
    const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SUDO_') && key !== 'PKEXEC_UID' && key !== 'NODE_OPTIONS'));
    const serve = spawn(process.execPath, [cli, 'serve'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...base, SUDO_UID: String(user.uid), SUDO_GID: String(user.gid) } });
    children.push(serve);
    const url = new URL(await watchLines(serve).waitFor('the URL', (line) => (line.startsWith('http://127.0.0.1:') ? line : undefined), scaled(60_000)));
    expect(idsOf(serve.pid ?? 0).uid).toEqual([user.uid, user.uid, user.uid, user.uid]);
    const helper = helperOf(serve.pid ?? 0);

    const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
    const socket = new WebSocket(`ws://${url.host}/api/live`, { headers: { Origin: url.origin } });
    const answers = new Map<number, (message: Record<string, unknown>) => void>();
    const call = (id: number, method: string) =>
      new Promise<Record<string, unknown>>((resolveAnswer) => {
        answers.set(id, resolveAnswer);
        socket.send(JSON.stringify({ id, method, params: [] }));
      });
    await new Promise<void>((ready, fail) => {
      socket.once('open', () => socket.send(JSON.stringify({ kind: 'auth', token })));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as Record<string, unknown>;
        if (message.kind === 'ready') ready();
        if (typeof message.id === 'number') answers.get(message.id)?.(message);
      });
      socket.once('error', fail);
    });
    expect(((await call(1, 'getSnapshot')).result as { status: unknown }).status).toMatchObject({ capture: 'ebpf', banner: null });

    expect(await call(2, 'retryCapture')).toEqual({ kind: 'result', id: 2, result: null });
    const status = ((await call(3, 'getSnapshot')).result as { status: { capture: string; banner: { message: string; canRetry: boolean } } }).status;
    expect(status.capture).toBe('proc');
    expect(status.banner.message).toMatch(/cannot be started again: snitchmap gave up root/);
    await exitedWithin(helper, scaled(5000)); // told to stop over its stdin: no signal needed
    expect(serve.exitCode).toBeNull();
    socket.close();
    serve.kill('SIGINT');
    await exitedWithin(serve.pid ?? 0, scaled(5000));
  });
});
