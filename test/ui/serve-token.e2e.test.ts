// The built renderer from the real `snitchmap serve` HTTP/WebSocket server (in process, fake
// engine behind it) in Chromium: the printed URL works, its token leaves the address bar, no cookie
// is set (cookies ignore ports), a reload keeps working, and a page without the token gets nothing.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/cli/serve/server.js';
import { stubBackend } from '../support/stub-backend.js';
import { makeEvent, makeSnapshot } from './connection-fixtures.js';
import { gate } from '../support/gate.js';
import { buildRenderer, chromiumMissingReason, launchChromium, RENDERER_OUT } from './support/browser.js';

const chromium = gate('UI e2e', chromiumMissingReason());

const TOKEN = 'e2e-token-0123456789abcdefghijklmnopqrstuv';
const snapshot = makeSnapshot([makeEvent({ id: 'a', process: { name: 'served-proc' } })]);

describe.skipIf(chromium.skip)('snitchmap serve page in the browser (token in the fragment)', () => {
  let browser: Browser;
  let server: RunningServer;

  beforeAll(async () => {
    await buildRenderer();
    server = await startServer({
      port: 0,
      token: TOKEN,
      rendererRoot: RENDERER_OUT,
      backend: stubBackend(() => snapshot),
      onDelta: () => () => undefined,
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the data from the printed URL, drops the token from the address bar, sets no cookie, survives a reload', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    expect(server.url).toContain(`#token=${TOKEN}`);
    await page.goto(server.url);
    await page.locator('.row-process', { hasText: 'served-proc' }).waitFor({ timeout: 15_000 });
    expect(page.url()).toBe(`http://127.0.0.1:${server.port}/`);
    expect(await context.cookies()).toEqual([]);
    await page.reload();
    await page.locator('.row-process', { hasText: 'served-proc' }).waitFor({ timeout: 15_000 });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('gives a page opened without the token no data, and says to open the printed address', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.getByRole('alert').filter({ hasText: /open the address it printed/ }).waitFor({ timeout: 15_000 });
    expect(await page.locator('.row-process').count()).toBe(0);
    await context.close();
  });
});
