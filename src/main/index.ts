// The Electron main process, as a table of contents: each setup step lives in its own module.
// Electron-specific code stays here and in the *-window/tray/protocol glue; the decisions
// (capture fallbacks, close-to-tray, tray contents) are plain modules tested without Electron.

import { app, ipcMain, Notification } from 'electron';
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DELTA_CHANNEL } from '../shared/ipc.js';
import { registerAppScheme, setupAppProtocol } from './app-protocol.js';
import { appPaths } from './app-paths.js';
import { isAppUrl } from './app-url.js';
import { createDesktopBackend } from './desktop-backend.js';
import { createDesktopCapture } from './desktop-capture.js';
import { registerApiHandlers } from './ipc-gateway.js';
import { createMainWindow, setupPermissionPolicy } from './main-window.js';
import { createNotifier } from './notifier.js';
import { defaultConfigDir, openSettingsStore } from './settings-store.js';
import { setupSingleInstance } from './single-instance.js';
import { setupTray } from './tray.js';
import { detectTrayHost } from './tray-host.js';
import { createWindowController, type WindowController } from './window-controller.js';

const warn = (message: string): void => console.warn(`snitchmap: ${message}`);
let controller: WindowController | null = null;

function runCommand(command: string, args: string[]): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 2000 }, (error, stdout) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') reject(error);
      else resolve({ status: error ? 1 : 0, stdout });
    });
  });
}

async function onReady(): Promise<void> {
  const paths = appPaths(app.getAppPath(), process.resourcesPath, app.isPackaged);
  const configDir = defaultConfigDir(process.env, homedir());
  setupPermissionPolicy();
  setupAppProtocol(paths.renderer);

  const settings = await openSettingsStore(configDir, warn);
  const supervisor = createDesktopCapture({ launcher: paths.launcher, configDir, env: process.env, onWarning: warn });
  const backend = createDesktopBackend(supervisor, settings);
  registerApiHandlers(ipcMain, backend, isAppUrl);

  const window = createMainWindow(paths.preload, join(paths.icons, 'png', '256x256.png'));
  const hasTrayHost = await detectTrayHost(process.env, runCommand);
  controller = createWindowController(window, () => hasTrayHost);
  window.on('close', (event) => {
    if (!controller?.onCloseRequested()) event.preventDefault();
  });

  const tray = setupTray(paths.icons, (action) => {
    if (action === 'toggle-window') controller?.toggle();
    else if (action === 'toggle-pause') void (backend.status().paused ? backend.resume() : backend.pause());
    else if (action === 'retry') void backend.retryCapture();
    else app.quit();
  });
  const refreshTray = (): void => {
    void backend.getSnapshot().then((snapshot) => tray.update(snapshot.status, snapshot.stats, window.isVisible()));
  };
  window.on('show', refreshTray);
  window.on('hide', refreshTray);

  const notifier = createNotifier(settings.get, (notice) => new Notification(notice).show());
  backend.onDelta((delta) => {
    if (!window.isDestroyed()) window.webContents.send(DELTA_CHANNEL, delta);
    notifier.observe(delta);
    if (delta.status || delta.stats) refreshTray();
  });

  app.on('before-quit', () => {
    controller?.markQuitting();
    tray.destroy();
  });
  // Quitting must stop the helper (it detaches everything and exits); hold the quit until it has.
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

  await supervisor.start();
  notifier.seed((await backend.getSnapshot()).connections);
  refreshTray();
}

// Chromium cannot be sandboxed as root and nothing here needs it: only the helper runs as root.
if (process.getuid?.() === 0) {
  console.error('snitchmap: the desktop app does not run as root; run it as your user (capture asks polkit), or use `sudo snitchmap watch`/`serve`');
  app.exit(1);
}
registerAppScheme();
if (setupSingleInstance(app, () => controller?.reveal())) {
  app.on('window-all-closed', () => app.quit());
  app.whenReady().then(onReady, (error: unknown) => {
    console.error(`snitchmap: cannot start: ${String(error)}`);
    app.exit(1);
  });
}

