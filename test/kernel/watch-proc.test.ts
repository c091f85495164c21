// As an unprivileged user, `snitchmap watch --json` falls back to /proc capture, says so in the
// hello (with its blind spots), and still reports that user's long-lived connection with its pid.
// Needs root only to create the namespace and to drop to nobody (setpriv).

import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelGate } from '../support/kernel-gate.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { json, watchLines, type LineWatcher } from './fixtures/watch-lines.js';

const repo = resolve(import.meta.dirname, '../..');
const fixture = (name: string) => join(repo, 'test/kernel/fixtures', name);
const gate = kernelGate([join(repo, 'dist/src/cli/main.js'), join(repo, 'dist/src/core/engine.js'), '/usr/bin/setpriv']);
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups', '--'];
const TCP_PORT = 8444;

function asNobody(args: string[]): ChildProcess {
  return spawn('setpriv', [...NOBODY, process.execPath, ...args], {
    cwd: repo,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent/config' },
  });
}

describe.skipIf(gate.skip)('watch --json as a normal user (proc fallback)', () => {
  let net: TestNet;
  let server: ChildProcess;
  let watch: ChildProcess;
  let out: LineWatcher;

  beforeAll(async () => {
    net = createTestNet('wproc');
    server = net.spawn(process.execPath, [fixture('watch-dns-server.mjs'), net.nsIp4, '5300', String(TCP_PORT), 'unused.test', net.nsIp4], { cwd: repo });
    await watchLines(server).waitFor('server ready', (line) => (line === 'ready' ? true : undefined));
    watch = asNobody([join(repo, 'dist/src/cli/main.js'), 'watch', '--json', '--duration', '8']);
    out = watchLines(watch);
  });

  afterAll(async () => {
    if (watch && watch.exitCode === null) {
      watch.kill('SIGTERM');
      await new Promise((r) => watch.once('close', r));
    }
    server?.kill('SIGTERM');
    net?.destroy();
  });

  it("says capture 'proc' in the hello and lists what it cannot see", async () => {
    const hello = await out.waitFor('hello', (line) => json(line));
    expect(hello).toMatchObject({ type: 'hello', version: 1, capture: 'proc' });
    const limitations = (hello.limitations as string[]).join('\n');
    expect(limitations).toMatch(/short-lived/);
    expect(limitations).toMatch(/other users/);
    expect(limitations).toMatch(/no byte/);
  });

  it("reports that user's long-lived connection with its pid", async () => {
    const client = asNobody([fixture('watch-proc-client.mjs'), net.nsIp4, String(TCP_PORT), '4000']);
    const connected = await watchLines(client).waitFor('client connected', (line) => json(line) as { pid: number; localPort: number } | undefined);
    const open = await out.waitFor('open event', (line) => {
      const m = json(line) as { type?: string; event?: string; remote?: { ip: string; port: number }; local?: { port: number } } | undefined;
      return m?.type === 'connection' && m.event === 'open' && m.remote?.ip === net.nsIp4 && m.local?.port === connected.localPort ? m : undefined;
    });
    expect(open).toMatchObject({ proto: 'tcp', direction: 'outbound', remote: { port: TCP_PORT, scope: 'lan', host: null }, process: { pid: client.pid, name: 'node', uid: 65534 } });
  });

  it('with --sudo, falls back to proc when sudo cannot run the helper, and says why first', async () => {
    const sudoWatch = asNobody([join(repo, 'dist/src/cli/main.js'), 'watch', '--json', '--sudo', '--duration', '1']);
    const lines = watchLines(sudoWatch);
    const hello = await lines.waitFor('hello', (line) => json(line));
    expect(hello).toMatchObject({ type: 'hello', capture: 'proc' });
    expect((hello.limitations as string[])[0]).toMatch(/^eBPF capture unavailable: /);
    const code = await new Promise<number | null>((r) => (sudoWatch.exitCode !== null ? r(sudoWatch.exitCode) : sudoWatch.once('close', (c) => r(c))));
    expect(code).toBe(0);
    expect(lines.stderr()).toMatch(/falling back to \/proc capture/);
  });

  it('exits 0 at the end of --duration', async () => {
    const code = await new Promise<number | null>((r) => (watch.exitCode !== null ? r(watch.exitCode) : watch.once('close', (c) => r(c))));
    expect(code).toBe(0);
  });
});
