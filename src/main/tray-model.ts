// What the tray shows for a given app state: icon, tooltip and menu entries. Plain data, so the
// Electron glue (tray.ts) stays a few lines and this is tested without a tray host.

import type { AppStatus, Snapshot } from '../shared/api.js';

export type TrayIconState = 'live' | 'paused' | 'degraded' | 'error';
export const TRAY_ICON_STATES: readonly TrayIconState[] = ['live', 'paused', 'degraded', 'error'];

export type TrayAction = 'toggle-window' | 'toggle-pause' | 'retry' | 'quit';

export interface TrayMenuEntry {
  action: TrayAction;
  label: string;
}

export interface TrayView {
  icon: TrayIconState;
  tooltip: string;
  menu: TrayMenuEntry[];
}

export function trayIconState(status: AppStatus): TrayIconState {
  if (status.capture === 'none' || status.banner?.kind === 'error') return 'error';
  if (status.paused) return 'paused';
  if (status.capture === 'proc') return 'degraded';
  return 'live';
}

function captureLabel(status: AppStatus): string {
  if (status.capture === 'ebpf') return 'eBPF capture';
  if (status.capture === 'proc') return '/proc mode (limited)';
  return 'no capture';
}

export function trayView(status: AppStatus, stats: Snapshot['stats'], windowVisible: boolean): TrayView {
  const lines = [
    `snitchmap — ${captureLabel(status)}${status.paused ? ', paused' : ''}`,
    `${stats.connections} connection${stats.connections === 1 ? '' : 's'}`,
  ];
  const lost = stats.eventsLost + stats.flowsEvicted;
  if (lost > 0) lines.push(`${lost} events lost or evicted`);
  if (status.banner) lines.push(status.banner.message.split('. ')[0] ?? '');
  const menu: TrayMenuEntry[] = [
    { action: 'toggle-window', label: windowVisible ? 'Hide window' : 'Show window' },
    { action: 'toggle-pause', label: status.paused ? 'Resume capture' : 'Pause capture' },
  ];
  if (status.banner?.canRetry) menu.push({ action: 'retry', label: 'Retry full capture…' });
  menu.push({ action: 'quit', label: 'Quit snitchmap' });
  return { icon: trayIconState(status), tooltip: lines.join('\n'), menu };
}
