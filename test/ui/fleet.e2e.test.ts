// Fleet mode end to end: two snitchmap instances (`watch --metrics`, run as the unprivileged user
// `nobody`, so they use the /proc source and touch no kernel) are scraped by one real Prometheus
// under the instance labels host-a and host-b. A process of `nobody` with a name of its own holds a
// TCP connection, so both instances see it. `serve --fleet PROMETHEUS` in Chromium must list that
// process on both hosts, and the Host filter must narrow the list to one.

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, watchLines } from '../kernel/fixtures/watch-lines.js';
import { prometheusGate, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { buildRenderer, chromiumMissingReason, launchChromium, REPO } from './support/browser.js';

const CLI = resolve(REPO, 'dist/src/cli/main.js');
const NOBODY = 65534;
const promGate = prometheusGate();
const chromiumSkip = chromiumMissingReason();
if (chromiumSkip !== null && process.env.CI === 'true') throw new Error(`UI e2e cannot run in CI: ${chromiumSkip}`);
const notRoot = process.getuid?.() !== 0;
if (notRoot && process.env.CI === 'true') throw new Error('fleet e2e needs root (it runs snitchmap as nobody)');

describe.skipIf(promGate.skip || chromiumSkip !== null || notRoot)('serve --fleet over Prometheus in the browser', () => {
  const tag = process.pid.toString(36);
  const name = `smfleet${tag}`.slice(0, 15);
  const children: ChildProcess[] = [];
  const sockets: Socket[] = [];
  let dir: string;
  let server: Server;
  let prometheus: RunningPrometheus;
  let browser: Browser;
  let url: string;

  async function watchAsNobody(): Promise<string> {
    const watch = spawn(process.execPath, [CLI, 'watch', '--json', '--metrics', '127.0.0.1:0'], {
      uid: NOBODY,
      gid: NOBODY,
      cwd: dir,
      env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir },
    });
    children.push(watch);
    const out = watchLines(watch);
    await out.waitFor('hello', (line) => (json(line)?.type === 'hello' ? true : undefined));
    const metrics = /metrics on (http:\/\/\S+)/.exec(out.stderr())?.[1];
    if (metrics === undefined) throw new Error(`no metrics URL: ${out.stderr()}`);
    return new URL(metrics).host;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sm-fleet-'));
    chmodSync(dir, 0o777);
    server = createServer((socket) => void sockets.push(socket.on('error', () => undefined)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const [a, b] = await Promise.all([watchAsNobody(), watchAsNobody()]);
    // bash through a symlink: its comm is the link's name. `read` is a builtin, so bash itself
    // holds the socket (no child inherits it) until the test ends.
    const link = join(dir, name);
    symlinkSync('/bin/bash', link);
    const holder = spawn(link, ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}; read -t 600 <&3`], { uid: NOBODY, gid: NOBODY, stdio: 'ignore' });
    children.push(holder);
    prometheus = await startPrometheus([
      { address: a ?? '', instance: 'host-a' },
      { address: b ?? '', instance: 'host-b' },
    ]);
    await prometheus.waitFor('both hosts saw the holder', `snitchmap_connections_total{process="${name}"}`, (r) => {
      const hosts = new Set(r.map((s) => s.metric.instance));
      return hosts.has('host-a') && hosts.has('host-b') ? true : undefined;
    });
    await buildRenderer();
    const serve = spawn(process.execPath, [CLI, 'serve', '--fleet', prometheus.url], { env: { ...process.env, XDG_CONFIG_HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(serve);
    url = await watchLines(serve).waitFor('serve URL', (line) => (line.startsWith('http://') ? line : undefined));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await prometheus?.stop();
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('close', r)) : undefined)));
    for (const socket of sockets) socket.destroy();
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("lists the process on both hosts, and the Host filter keeps one host's", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`${e.message} ${e.stack ?? ''}`));
    await page.goto(url);
    await page.getByLabel('Search connections').fill(name);
    const rows = page.locator('[role="treeitem"][aria-level="1"]', { hasText: name });
    await rows.nth(1).waitFor({ timeout: 30_000 });
    const texts = await rows.allTextContents();
    expect(texts.some((t) => t.includes('on host-a'))).toBe(true);
    expect(texts.some((t) => t.includes('on host-b'))).toBe(true);
    await page.getByRole('combobox', { name: 'Host', exact: true }).selectOption('host-b');
    await expect.poll(async () => (await rows.allTextContents()).map((t) => t.includes('on host-b')), { timeout: 10_000 }).toEqual([true]);
    await page.screenshot({ path: resolve(REPO, 'test-results/ui-fleet.png') });
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });
});
