// The Electron main process, as a table of contents: each step below sets up one feature. It is a
// transport: window.snitchmap is answered by the shared backend (src/core/app: settings, capture
// supervisor, API calls); close-to-tray, tray contents and notifications live in plain modules
// tested without Electron; what is here only connects them to Electron objects.

import { app, ipcMain, Notification, type BrowserWindow } from 'electron';
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '../shared/api.js';
import { DELTA_CHANNEL } from '../shared/ipc.js';
import { registerAppScheme, setupAppProtocol } from './app-protocol.js';
import { appPaths, type AppPaths } from './app-paths.js';
import { isAppUrl } from './app-url.js';
import { createAppBackend, type AppBackend } from '../core/app/backend.js';
import { keepYoungGenerationSmall } from '../core/heap-policy.js';
import type { CaptureSupervisor } from '../core/app/capture-supervisor.js';
import { openSettingsStore, type SettingsStore } from '../core/app/settings-store.js';
import { defaultConfigDir } from '../core/config/paths.js';
import { createDesktopHistory } from './desktop-history.js';
import type { FirstSeen } from '../core/history/recorder.js';
import { createDesktopCapture } from './desktop-capture.js';
import { registerApiHandlers } from './ipc-gateway.js';
import { createMainWindow, setupPermissionPolicy } from './main-window.js';
import { createNotifier, escapeNotificationMarkup } from './notifier.js';
import { setupSingleInstance } from './single-instance.js';
import { setupTray } from './tray.js';
import { detectTrayHost } from './tray-host.js';
import { createWindowController, type WindowController } from './window-controller.js';

const warn = (message: string): void => console.warn(`snitchmap: ${message}`);
// The engine runs in this process (src/core/heap-policy.ts says why and what it costs).
keepYoungGenerationSmall();
let controller: WindowController | null = null;

function runCommand(command: string, args: string[]): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 2000 }, (error, stdout) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') reject(error);
      else resolve({ status: error ? 1 : 0, stdout });
    });
  });
}

async function setupWindow(paths: AppPaths): Promise<BrowserWindow> {
  const window = createMainWindow(paths.preload, join(paths.icons, 'png', '256x256.png'));
  const hasTrayHost = await detectTrayHost(process.env, runCommand);
  controller = createWindowController(window, () => hasTrayHost);
  window.on('close', (event) => {
    if (!controller?.onCloseRequested()) event.preventDefault();
  });
  return window;
}

/** Forwards the backend's deltas to the page, the tray and the notifier. */
async function setupLiveUpdates(backend: AppBackend, settings: SettingsStore, window: BrowserWindow, paths: AppPaths): Promise<(first: FirstSeen) => void> {
  const tray = setupTray(paths.icons, (action) => {
    if (action === 'toggle-window') controller?.toggle();
    else if (action === 'toggle-pause') void (backend.status().paused ? backend.resume() : backend.pause());
    else if (action === 'retry') void backend.retryCapture();
    else app.quit();
  });
  app.on('before-quit', () => tray.destroy());
  // The tray needs counts, not rows: keep the latest stats from the deltas rather than building a
  // snapshot (thousands of connections) several times a second.
  let stats: Snapshot['stats'] = (await backend.getSnapshot()).stats;
  const refreshTray = (): void => tray.update(backend.status(), stats, !window.isDestroyed() && window.isVisible());
  window.on('show', refreshTray);
  window.on('hide', refreshTray);

  const notifier = createNotifier(settings.get, (notice) =>
    new Notification({ title: notice.title, body: escapeNotificationMarkup(notice.body) }).show(),
  );
  backend.onDelta((delta) => {
    if (!window.isDestroyed()) window.webContents.send(DELTA_CHANNEL, delta);
    notifier.observe(delta);
    if (delta.stats) stats = delta.stats;
    if (delta.status || delta.stats) refreshTray();
  });
  refreshTray();
  return (first) => notifier.firstSeen(first);
}

/** Quitting stops the helper first (it detaches everything and exits): the quit waits for that. */
function setupQuit(backend: AppBackend, supervisor: CaptureSupervisor): void {
  app.on('before-quit', () => controller?.markQuitting());
  let stopped = false;
  app.on('will-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    backend.dispose();
    void supervisor.stop().finally(() => {
      stopped = true;
      app.quit();
    });
  });
}

async function onReady(): Promise<void> {
  const paths = appPaths(app.getAppPath(), process.resourcesPath, app.isPackaged, process.env.APPIMAGE);
  const configDir = defaultConfigDir(process.env, homedir());
  setupPermissionPolicy();
  setupAppProtocol(paths.renderer);
  const settings = openSettingsStore(configDir, warn);
  const supervisor = createDesktopCapture({ launcher: paths.launcher, configDir, env: process.env, home: () => settings.get().home, onWarning: warn });
  const firstSeen: { notify: (first: FirstSeen) => void } = { notify: () => undefined };
  const history = createDesktopHistory(supervisor, settings.get(), process.env, warn, (first) => firstSeen.notify(first));
  app.on('will-quit', () => history.dispose());
  const backend = createAppBackend(supervisor, settings, { history: history.api, onWarning: warn });
  registerApiHandlers(ipcMain, backend, isAppUrl);
  const window = await setupWindow(paths);
  firstSeen.notify = await setupLiveUpdates(backend, settings, window, paths);
  setupQuit(backend, supervisor);
  await supervisor.start();
}

// Chromium cannot be sandboxed as root and nothing here needs root: only the helper runs as root.
if (process.getuid?.() === 0) {
  console.error('snitchmap: the desktop app does not run as root; run it as your user (capture asks polkit), or use `sudo snitchmap watch`/`serve`');
  app.exit(1);
} else {
  registerAppScheme();
  if (setupSingleInstance(app, () => controller?.reveal())) {
    app.on('window-all-closed', () => app.quit());
    app
      .whenReady()
      .then(onReady)
      .catch((error: unknown) => {
        console.error(`snitchmap: cannot start: ${error instanceof Error ? error.message : String(error)}`);
        app.exit(1);
      });
  }
}
