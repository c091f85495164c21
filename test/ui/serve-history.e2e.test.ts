// The map in time, in Chromium against the real `snitchmap serve --history FILE` (built CLI and
// renderer, run as an unprivileged user: /proc capture, no kernel needed beyond that). The history
// file is seeded with past connections of processes that never run here: a URL whose fragment
// names a window covering one shows it and not the other; an earlier window shows neither; dragging
// the brush over the timeline changes the list. serve runs with a window bound of 3 connections
// (SNITCHMAP_TEST_HISTORY_LIMIT, src/core/history/api.ts) instead of 5,000, so a handful of rows
// show a cut window: the Process and Country filters reach the connections past the bound.

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHistory } from '../../src/core/history/history.js';
import { kernelGate } from '../support/kernel-gate.js';
import { connection, FakeEngine } from '../unit/core/history/fake-engine.js';
import { chromiumMissingReason, launchChromium, REPO } from './support/browser.js';

const CLI = resolve(REPO, 'dist/src/cli/main.js');
const gate = kernelGate([CLI, resolve(REPO, 'out/renderer/index.html')]);
const chromiumSkip = chromiumMissingReason();
if (chromiumSkip !== null && process.env.CI === 'true') throw new Error(`UI e2e cannot run in CI: ${chromiumSkip}`);

const HOUR = 3_600_000;
const NOBODY = 65534;

function firstLine(child: ChildProcess, what: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((done, fail) => {
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => fail(new Error(`${what}: no output within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    lines.once('line', (line) => {
      clearTimeout(timer);
      done(line);
    });
    child.once('exit', (code) => fail(new Error(`${what} exited (${code}); stderr: ${stderr}`)));
  });
}

const iso = (ms: number): string => new Date(ms).toISOString();

async function processNames(page: Page): Promise<string[]> {
  return page.locator('.process-name').allTextContents();
}

describe.skipIf(gate.skip || chromiumSkip !== null)('serve --history: past windows in the browser', () => {
  const now = Date.now();
  const oldAt = now - 5 * HOUR;
  const recentAt = now - 2 * HOUR;
  let dir: string;
  let serve: ChildProcess;
  let browser: Browser;
  let url: URL;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snitchmap-history-ui-'));
    const file = join(dir, 'history.sqlite');
    const seed = openHistory({ file });
    const engine = new FakeEngine();
    seed.attach(engine);
    const TOKYO = { country: 'JP', city: 'Tokyo', lat: 35.68, lon: 139.69 };
    const past = (id: string, at: number, name: string, host: string, geo = TOKYO) => {
      const base = { process: { pid: 4242, name, exe: null, cmdline: null, uid: 1000, user: 'someone' }, remote: { ip: '203.0.113.9', port: 443, host, scope: 'internet' as const, geo, asn: null } };
      engine.send(connection({ id, ts: at, ...base }));
      engine.send(connection({ id, ts: at + 60_000, event: 'close', txBytes: 1500, rxBytes: 64_000, ...base }));
    };
    past('old-1', oldAt, 'oldproc', 'old.example.test');
    past('recent-1', recentAt, 'recentproc', 'recent.example.test');
    // Past the bound of 3 in a window holding them all: berlinproc is only among the older rows.
    const BERLIN = { country: 'DE', city: 'Berlin', lat: 52.52, lon: 13.4 };
    past('de-old', oldAt + 2 * 60_000, 'berlinproc', 'berlin.example.test', BERLIN);
    past('recent-2', recentAt + 60_000, 'recentproc', 'recent.example.test');
    past('recent-3', recentAt + 2 * 60_000, 'recentproc', 'recent.example.test');
    past('de-recent', recentAt + 3 * 60_000, 'recentproc', 'recent.example.test', BERLIN);
    seed.close();
    chmodSync(dir, 0o700);
    for (const name of ['', ...readdirSync(dir)]) chownSync(join(dir, name), NOBODY, NOBODY);
    serve = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'serve', '--history', file], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', XDG_CONFIG_HOME: dir, HOME: dir, SNITCHMAP_TEST_HISTORY_LIMIT: '3' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = new URL(await firstLine(serve, 'snitchmap serve'));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (serve && serve.exitCode === null) {
      serve.kill('SIGTERM');
      await new Promise((r) => serve.once('exit', r));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const open = async (from: number, to: number): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${url.origin}/${url.hash}&from=${iso(from)}&to=${iso(to)}`);
    await page.locator('[data-testid="timeline-window"]').filter({ hasText: 'connection' }).waitFor();
    return page;
  };

  it('a window covering a past connection shows it (and keeps the window in the URL); an earlier one does not', async () => {
    const page = await open(oldAt - 10 * 60_000, oldAt + 10 * 60_000);
    await page.locator('.process-name', { hasText: 'oldproc' }).waitFor();
    expect(await processNames(page)).not.toContain('recentproc');
    // Its first connection to that host: marked "new" on the host row.
    const group = page.locator('[role="treeitem"][aria-level="1"]', { hasText: 'oldproc' });
    if ((await group.getAttribute('aria-expanded')) !== 'true') await group.locator('.twisty').click();
    await page.locator('[data-host="old.example.test"] .row-new').waitFor();
    // The token left the fragment, the window stayed.
    const hash = new URLSearchParams(new URL(page.url()).hash.slice(1));
    expect(hash.get('token')).toBeNull();
    expect(hash.get('from')).toBe(iso(oldAt - 10 * 60_000));
    await page.close();

    const earlier = await open(oldAt - 3 * HOUR, oldAt - 2 * HOUR);
    await earlier.locator('[data-testid="timeline-window"]', { hasText: '0 connections' }).waitFor();
    const names = await processNames(earlier);
    expect(names).not.toContain('oldproc');
    expect(names).not.toContain('recentproc');
    // Changing the fragment changes the window.
    await earlier.evaluate(([from, to]) => (location.hash = `from=${from}&to=${to}`), [iso(recentAt - 60_000), iso(recentAt + 5 * 60_000)]);
    await earlier.locator('.process-name', { hasText: 'recentproc' }).waitFor();
    expect(await processNames(earlier)).not.toContain('oldproc');
    await earlier.close();
  });

  it('in a cut window the Process and Country filters ask the backend: a process only among the older rows is found', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const socket = page.waitForEvent('websocket');
    await page.goto(`${url.origin}/${url.hash}&from=${iso(oldAt - 10 * 60_000)}&to=${iso(recentAt + 10 * 60_000)}`);
    const ws = await socket;
    const asked: string[] = [];
    ws.on('framesent', (frame) => {
      if (String(frame.payload).includes('"getHistory"')) asked.push(String(frame.payload));
    });
    // The answer to the request a change makes (a window's answer has `truncated`; set up first).
    const answerTo = async (change: () => Promise<unknown>): Promise<string> => {
      const [answer] = await Promise.all([ws.waitForEvent('framereceived', { predicate: (frame) => String(frame.payload).includes('"truncated"') }), change()]);
      return String(answer.payload);
    };
    const windowText = page.locator('[data-testid="timeline-window"]');
    await windowText.filter({ hasText: /· 3 of 6 connections, newest first · 3 more/ }).waitFor();
    await page.locator('.process-name', { hasText: 'recentproc' }).waitFor();
    expect(await processNames(page)).not.toContain('berlinproc');
    // Germany: the newest German connections of the window, counted among themselves.
    expect(await answerTo(() => page.getByLabel('Country', { exact: true }).selectOption('DE'))).toMatch(/"total":2\b/);
    expect(asked.at(-1)).toContain('{"country":"DE"}');
    await windowText.filter({ hasText: /· 2 connections$/ }).waitFor();
    await page.locator('.process-name', { hasText: 'berlinproc' }).waitFor();
    // Its process, then any country again: still only its connection, from the backend.
    expect(await answerTo(() => page.getByLabel('Process', { exact: true }).selectOption({ label: 'berlinproc (4242)' }))).toMatch(/"total":1\b/);
    await windowText.filter({ hasText: /· 1 connection$/ }).waitFor();
    expect(await answerTo(() => page.getByLabel('Country', { exact: true }).selectOption(''))).toMatch(/"total":1\b/);
    expect(asked.at(-1)).toContain('{"process":"berlinproc"}');
    await windowText.filter({ hasText: /· 1 connection$/ }).waitFor();
    expect(await page.getByLabel('Process', { exact: true }).inputValue()).toBe('4242:berlinproc');
    expect(await processNames(page)).toEqual(['berlinproc']);
    // Reset: the cut window again, asked without a filter.
    expect(await answerTo(() => page.getByRole('button', { name: 'Reset filters' }).click())).toMatch(/"total":6\b/);
    await windowText.filter({ hasText: /· 3 of 6 connections/ }).waitFor();
    expect(await processNames(page)).not.toContain('berlinproc');
    await page.close();
  });

  it('dragging the brush across the timeline selects that window and changes the list', async () => {
    const page = await open(oldAt - 10 * 60_000, oldAt + 10 * 60_000);
    await page.locator('.process-name', { hasText: 'oldproc' }).waitFor();
    const chart = await page.locator('[data-testid="timeline-chart"]').boundingBox();
    if (chart === null) throw new Error('no timeline chart');
    // The Day span: the chart covers the 24 h before now (the page's clock, the same machine).
    const end = await page.evaluate(() => Date.now());
    const xOf = (t: number) => chart.x + ((t - (end - 24 * HOUR)) / (24 * HOUR)) * chart.width;
    const y = chart.y + chart.height / 2;
    await page.mouse.move(xOf(recentAt - 30 * 60_000), y);
    await page.mouse.down();
    await page.mouse.move(xOf(recentAt), y, { steps: 5 });
    await page.mouse.move(xOf(recentAt + 30 * 60_000), y, { steps: 5 });
    await page.mouse.up();
    await page.locator('.process-name', { hasText: 'recentproc' }).waitFor();
    expect(await processNames(page)).not.toContain('oldproc');
    const hash = new URLSearchParams(new URL(page.url()).hash.slice(1));
    const from = Date.parse(hash.get('from') ?? '');
    const to = Date.parse(hash.get('to') ?? '');
    expect(from).toBeLessThan(recentAt);
    expect(to).toBeGreaterThan(recentAt + 60_000);
    // Live returns to now: the fragment loses the window.
    await page.getByRole('button', { name: 'Live' }).click();
    await page.locator('[data-testid="timeline-window"]', { hasText: 'Live' }).waitFor();
    expect(new URL(page.url()).hash).not.toContain('from=');
    await page.close();
  });
  it('Settings shows the history file in use and saves the history setting through the shared rules', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url.href);
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('history-file').filter({ hasText: join(dir, 'history.sqlite') }).waitFor();
    await dialog.getByLabel('Keep days').fill('0');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toContain('history.retentionDays');
    await dialog.getByLabel('Keep days').fill('7');
    await dialog.getByLabel('At most MiB').fill('256');
    await dialog.getByLabel('Keep a history of connections').uncheck();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    // Stored by serve: a fresh page reads it back.
    await page.reload();
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByRole('dialog').getByLabel('Keep days').inputValue()).resolves.toBe('7');
    await expect(page.getByRole('dialog').getByLabel('At most MiB').inputValue()).resolves.toBe('256');
    expect(await page.getByRole('dialog').getByLabel('Keep a history of connections').isChecked()).toBe(false);
    await page.close();
  });
});
