// How the list names an application (issue 14): the desktop entry's name, else the app id, else
// (an engine without apps) the process name. Icons arrive from the engine as data: URLs by desktop
// entry id; only PNG and SVG data URLs are accepted (the CSP allows data: images, never a path).

import type { AppInfo, ProcessInfo } from '../../../shared/contract.js';

const KIND_LABEL: Record<AppInfo['kind'], string> = {
  systemd: 'service',
  flatpak: 'Flatpak',
  snap: 'snap',
  container: 'container',
  executable: 'program',
};

export function appName(process: ProcessInfo | null): string {
  if (process === null) return 'unattributed';
  const app = process.app;
  if (app === undefined) return process.name;
  if (app.name !== undefined) return app.name;
  return app.kind === 'container' ? `container ${app.id}` : app.id;
}

/** "Flatpak org.mozilla.firefox", "container 3f1c2b9a7d6e (docker)", for the details panel. */
export function appDescription(app: AppInfo | undefined): string | null {
  if (app === undefined) return null;
  const runtime = app.runtime === undefined ? '' : ` (${app.runtime})`;
  const unit = app.unit !== undefined && app.unit !== app.id ? `, unit ${app.unit}` : '';
  return `${KIND_LABEL[app.kind] ?? app.kind} ${app.id}${runtime}${unit}`;
}

export function isIconUrl(value: unknown): value is string {
  return typeof value === 'string' && /^data:image\/(png|svg\+xml);base64,[A-Za-z0-9+/]+=*$/.test(value) && value.length <= 400_000;
}

/** Icons of a snapshot or delta that are acceptable data URLs. */
export function acceptedIcons(icons: Record<string, unknown> | undefined): Array<[string, string]> {
  if (icons === undefined || icons === null || typeof icons !== 'object') return [];
  return Object.entries(icons).filter((entry): entry is [string, string] => isIconUrl(entry[1]));
}
