// Which app, not just which process (issue 14), end to end: `snitchmap watch --json` (real helper,
// real addon, real engine). A parent named smbparent joins a cgroup v2 group named like a Docker
// scope, a systemd service or a Flatpak app scope, and starts a child that connects to a server in a
// test namespace. The child exits right after connecting (gone before /proc could be read, so the
// kernel's exec record must carry the cgroup and parent) or holds on (read from /proc). The groups
// live under a directory of this test in the cgroup v2 mount found in /proc/mounts, removed at the end.

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelGate } from '../support/kernel-gate.js';
import { scaled } from '../support/time-scale.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { compileFixture } from './fixtures/owners-harness.js';
import { json, watchLines, type LineWatcher } from './fixtures/watch-lines.js';
import type { ConnectionEvent } from '../../src/shared/contract.js';
import { cgroup2Mount } from '../../src/helper/cgroup-paths.js';

const repo = resolve(import.meta.dirname, '../..');
const cli = join(repo, 'bin/snitchmap');
const gate = kernelGate([join(repo, 'dist/src/cli/main.js'), join(repo, 'dist/src/helper/main.js'), join(repo, 'dist/native/index.js')]);
const DOCKER_ID = 'a3f9c2e1b4d5' + '0123456789abcdef'.repeat(3) + '0123';

describe.skipIf(gate.skip)('apps: parents, cgroup and app of a connection (watch --json)', () => {
  let net: TestNet;
  let server: ChildProcess;
  let watch: ChildProcess;
  let out: LineWatcher;
  let port = 0;
  let scratch: string;
  let smbparent: string;
  let child: string;
  let cgroupRoot: string;
  const groups: string[] = [];
  const parents: ChildProcess[] = [];
  // The engine opens a connection within ~1.5 s; a machine loaded by other kernel tests needs more.
  const OPEN_WAIT_MS = scaled(60_000);

  beforeAll(async () => {
    const mount = cgroup2Mount(readFileSync('/proc/mounts', 'utf8'));
    if (mount === null) throw new Error('no cgroup2 mount in /proc/mounts');
    cgroupRoot = join(mount, `snitchmap-apps-${process.pid}`);
    mkdirSync(cgroupRoot);
    scratch = mkdtempSync(join(tmpdir(), 'sm-apps-'));
    smbparent = join(scratch, 'smbparent');
    copyFileSync(compileFixture('apps-parent'), smbparent);
    chmodSync(smbparent, 0o755);
    child = compileFixture('apps-child');
    net = createTestNet('apps');
    server = net.spawn(process.execPath, ['-e', `
      const s = require('node:net').createServer((c) => { c.on('error', () => {}); c.resume(); });
      s.listen(0, '${net.nsIp4}', () => console.log(s.address().port));`]);
    port = await watchLines(server).waitFor('server port', (line) => (Number(line) > 0 ? Number(line) : undefined));
    watch = spawn(cli, ['watch', '--json'], { env: { ...process.env, XDG_CONFIG_HOME: scratch } });
    out = watchLines(watch);
    await out.waitFor('hello', (line) => (json(line)?.type === 'hello' ? true : undefined), OPEN_WAIT_MS);
  }, scaled(120_000));

  afterAll(async () => {
    for (const parent of parents) if (parent.exitCode === null) parent.kill('SIGKILL');
    watch?.kill('SIGINT');
    server?.kill('SIGTERM');
    if (watch && watch.exitCode === null) await new Promise((r) => watch.once('close', r));
    net?.destroy();
    // Groups can be removed once their processes have exited (the parents exit when stdin closes).
    for (const group of groups.reverse()) {
      try {
        rmdirSync(group);
      } catch {
        /* already gone */
      }
    }
    if (cgroupRoot) rmdirSync(cgroupRoot);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** Runs smbparent in group `name`, its child connecting; resolves with the pids and the open event. */
  async function run(name: string, mode: 'exit' | 'hold') {
    const group = join(cgroupRoot, name);
    mkdirSync(group);
    groups.push(group);
    const parent = spawn(smbparent, [join(group, 'cgroup.procs'), child, net.nsIp4, String(port), mode], { stdio: ['pipe', 'pipe', 'inherit'] });
    parents.push(parent);
    const parentOut = watchLines(parent);
    const started = await parentOut.waitFor('child connected', (line) => json(line) as { child: number; localPort: number } | undefined);
    const open = await out.waitFor(`open of ${name}`, (line) => {
      const message = json(line) as ConnectionEvent | undefined;
      return message?.type === 'connection' && message.local.port === started.localPort && message.remote.port === port ? message : undefined;
    }, OPEN_WAIT_MS);
    const ended = async () => {
      parent.stdin?.end();
      if (parent.exitCode === null) await new Promise((r) => parent.once('close', r));
    };
    return { parentPid: parent.pid!, childPid: started.child, open, parentOut, ended };
  }

  it.each(['exit', 'hold'] as const)('a child in a Docker-like scope (%s): parent smbparent, cgroup, container app with the 12-digit id', async (mode) => {
    const scope = `docker-${DOCKER_ID.slice(0, 63)}${mode === 'exit' ? 'e' : 'f'}.scope`;
    const { parentPid, childPid, open, parentOut, ended } = await run(scope, mode);
    try {
      expect(open.process).toMatchObject({ pid: childPid, name: 'apps-child' });
      expect(open.process?.parents?.[0]).toEqual({ pid: parentPid, name: 'smbparent' });
      expect(open.process?.cgroup).toBe(`/snitchmap-apps-${process.pid}/${scope}`);
      expect(open.process?.app).toEqual({ kind: 'container', id: DOCKER_ID.slice(0, 12), runtime: 'docker' });
      expect(open.process).not.toHaveProperty('netns');
    } finally {
      await ended();
    }
    if (mode === 'exit') {
      const status = await parentOut.waitFor('parent report', (line) => json(line) as { child: number; status: number } | undefined);
      expect(status).toEqual({ parent: parentPid, child: childPid, status: 0 });
    }
  }, scaled(120_000));

  it('a child in a .service group: systemd app named by the unit', async () => {
    const { parentPid, open, ended } = await run('smbtest.service', 'exit');
    try {
      expect(open.process?.parents?.[0]).toEqual({ pid: parentPid, name: 'smbparent' });
      expect(open.process?.cgroup?.endsWith('/smbtest.service')).toBe(true);
      expect(open.process?.app).toEqual({ kind: 'systemd', id: 'smbtest.service', unit: 'smbtest.service' });
    } finally {
      await ended();
    }
  }, scaled(120_000));

  it('a child in an app-flatpak-…scope group: the Flatpak app id', async () => {
    const { parentPid, open, ended } = await run('app-flatpak-org.example.Smb-4242.scope', 'exit');
    try {
      expect(open.process?.parents?.[0]).toEqual({ pid: parentPid, name: 'smbparent' });
      expect(open.process?.cgroup?.endsWith('/app-flatpak-org.example.Smb-4242.scope')).toBe(true);
      expect(open.process?.app).toMatchObject({ kind: 'flatpak', id: 'org.example.Smb' });
    } finally {
      await ended();
    }
  }, scaled(120_000));
});
