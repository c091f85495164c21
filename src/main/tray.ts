// The tray icon: Electron glue over tray-model.ts. The context menu is set again on every change
// (Electron's Linux tray only picks up menu changes that way) and always present, because many
// StatusNotifierItem hosts only ever show the menu.

import { Menu, nativeImage, Tray } from 'electron';
import { join } from 'node:path';
import { TRAY_ICON_STATES, trayView, type TrayAction, type TrayIconState, type TrayView } from './tray-model.js';
import type { AppStatus, Snapshot } from '../shared/api.js';

export interface TrayHandle {
  update(status: AppStatus, stats: Snapshot['stats'], windowVisible: boolean): void;
  destroy(): void;
}

export function setupTray(iconDir: string, onAction: (action: TrayAction) => void): TrayHandle {
  const icons = new Map<TrayIconState, Electron.NativeImage>(
    TRAY_ICON_STATES.map((state) => [state, nativeImage.createFromPath(join(iconDir, 'tray', `${state}.png`))]),
  );
  const tray = new Tray(icons.get('error') ?? nativeImage.createEmpty());
  let shown: TrayView | null = null;
  return {
    update(status, stats, windowVisible) {
      const view = trayView(status, stats, windowVisible);
      if (shown !== null && JSON.stringify(shown) === JSON.stringify(view)) return;
      shown = view;
      const icon = icons.get(view.icon);
      if (icon) tray.setImage(icon);
      tray.setToolTip(view.tooltip);
      tray.setContextMenu(Menu.buildFromTemplate(view.menu.map((entry) => ({ label: entry.label, click: () => onAction(entry.action) }))));
    },
    destroy: () => tray.destroy(),
  };
}
