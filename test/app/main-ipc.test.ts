// The IPC boundary: calls from other frames or origins are refused, arguments are validated (by the
// shared call check, src/core/app/api-call.ts), app:// URLs never escape the renderer folder.
// Settings rules are tested once, in test/unit/app/settings.test.ts.

import { describe, expect, it } from 'vitest';
import { API_METHODS } from '../../src/shared/api.js';
import { invokeChannel } from '../../src/shared/ipc.js';
import { isAppUrl, resolveAppPath } from '../../src/main/app-url.js';
import { createFakeBackend } from './fakes/fake-backend.js';
import { preloadTransport } from './fakes/transports.js';

describe('IPC gateway', () => {
  it('registers exactly one channel per API method', () => {
    const { handlers } = preloadTransport(createFakeBackend());
    expect([...handlers.keys()].sort()).toEqual(API_METHODS.map(invokeChannel).sort());
  });

  it('refuses calls from a subframe or a foreign page', async () => {
    const backend = createFakeBackend();
    const ipc = preloadTransport(backend);
    ipc.frame.parent = { url: 'app://snitchmap/index.html' };
    await expect(ipc.api.pause()).rejects.toThrow(/refused pause/);
    ipc.frame.parent = null;
    ipc.frame.url = 'https://evil.example/';
    await expect(ipc.api.getSnapshot()).rejects.toThrow(/refused getSnapshot from https:\/\/evil.example/);
    ipc.frame.url = 'file:///etc/passwd';
    await expect(ipc.api.clear()).rejects.toThrow(/refused/);
    expect(backend.calls).toEqual([]);
  });

  it('refuses malformed arguments before the backend sees them', async () => {
    const backend = createFakeBackend();
    const { handlers, frame } = preloadTransport(backend);
    const call = (method: string, ...args: unknown[]) => handlers.get(invokeChannel(method as 'pause'))?.({ senderFrame: frame }, ...args);
    await expect(call('pause', 'extra')).rejects.toThrow(/pause takes no arguments/);
    await expect(call('updateSettings')).rejects.toThrow(/one settings object/);
    await expect(call('updateSettings', ['home'])).rejects.toThrow(/one settings object/);
    await expect(call('updateSettings', null)).rejects.toThrow(/one settings object/);
    expect(backend.calls).toEqual([]);
  });
});

describe('app:// URLs', () => {
  const root = '/opt/snitchmap/out/renderer';
  it('map onto files inside the renderer folder only', () => {
    expect(resolveAppPath(root, 'app://snitchmap/')).toBe(`${root}/index.html`);
    expect(resolveAppPath(root, 'app://snitchmap/assets/index-abc.js?x=1')).toBe(`${root}/assets/index-abc.js`);
    for (const bad of [
      'app://snitchmap/../../etc/passwd',
      'app://snitchmap/%2e%2e/%2e%2e/etc/passwd',
      'app://snitchmap/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      'app://snitchmap/a%00.js',
      'app://other/index.html',
      'file:///etc/passwd',
      'app://snitchmap/%E0%A4%A',
      'app://snitchmap/assets/',
    ]) {
      expect(resolveAppPath(root, bad), bad).toBeNull();
    }
    expect(isAppUrl('app://snitchmap/index.html')).toBe(true);
    expect(isAppUrl('app://snitchmap.evil/index.html')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});
