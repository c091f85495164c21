// The one BrowserWindow, locked down per the Electron security checklist: isolated, sandboxed,
// no Node in the page, no navigation away from app://snitchmap, no new windows, no webviews,
// every permission request denied.

import { BrowserWindow, session, shell, type WebContents } from 'electron';
import { APP_ENTRY, isAppUrl } from './app-url.js';

function harden(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links to the GeoIP/ASN attribution pages open in the user's browser, nothing else does.
    if (/^https:\/\/[^\s]+$/.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

export function setupPermissionPolicy(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

export function createMainWindow(preloadPath: string, iconPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    title: 'snitchmap',
    icon: iconPath,
    backgroundColor: '#101418',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  harden(window.webContents);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY);
  return window;
}
