// Which application a process belongs to, from its cgroup v2 path and executable. Pure: the helper
// reads the path (/proc/PID/cgroup or the kernel's cgroup id), the engine decides here. The names
// follow what the managers actually create:
// - systemd's desktop convention (systemd.io/DESKTOP_ENVIRONMENTS): app[-<launcher>]-<AppId>-<RANDOM>.scope
//   and app[-<launcher>]-<AppId>[@<RANDOM>].service, with `-` inside parts escaped as \x2d;
// - Flatpak: app-flatpak-<AppId>-<N>.scope (older: flatpak-<AppId>-<N>.scope);
// - snapd: snap.<snap>.<app>[-<uuid>|.<uuid>].scope, snap.<snap>.<app>.service;
// - Docker docker-<64 hex>.scope (cgroupfs driver: /docker/<64 hex>), Podman libpod-<64 hex>.scope
//   (libpod-conmon-… is the monitor, not the container), containerd cri-containerd-<64 hex>.scope,
//   CRI-O crio-<64 hex>.scope, kubepods cgroupfs …/pod<uid>/<64 hex>, LXC lxc.payload.<name>,
//   systemd-nspawn machine-<name>.scope / systemd-nspawn@<name>.service.

import type { AppInfo } from '../../shared/contract.js';

/** Launchers that prefix app ids in systemd's desktop convention (the part after `app-`). */
const LAUNCHERS = new Set(['gnome', 'kde', 'xfce', 'cinnamon', 'mate', 'lxqt', 'budgie', 'sway', 'hyprland', 'niri', 'cosmic', 'dbus']);

const HEX64 = /^[0-9a-f]{64}$/;

const CONTAINER_SCOPES: Array<[RegExp, string]> = [
  [/^docker-([0-9a-f]{64})\.scope$/, 'docker'],
  [/^libpod-(?!conmon-)([0-9a-f]{64})(?:\.scope)?$/, 'podman'],
  [/^cri-containerd-([0-9a-f]{64})\.scope$/, 'containerd'],
  [/^crio-(?!conmon-)([0-9a-f]{64})\.scope$/, 'cri-o'],
];

/** systemd's unit-name escaping (\xNN) undone; anything that is not a valid escape stays as written. */
export function unescapeUnit(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function containerOf(segments: string[]): AppInfo | null {
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i]!;
    for (const [pattern, runtime] of CONTAINER_SCOPES) {
      const match = pattern.exec(segment);
      if (match) return { kind: 'container', id: match[1]!.slice(0, 12), runtime };
    }
    const parent = segments[i - 1];
    // cgroupfs drivers: the bare id under a runtime's directory.
    if (HEX64.test(segment) && parent !== undefined) {
      if (parent === 'docker') return { kind: 'container', id: segment.slice(0, 12), runtime: 'docker' };
      if (/^pod[0-9a-f_-]+$/.test(parent)) return { kind: 'container', id: segment.slice(0, 12), runtime: 'kubernetes' };
    }
    const lxc = /^lxc\.payload\.(.+)$/.exec(segment);
    if (lxc) return { kind: 'container', id: lxc[1]!, name: lxc[1]!, runtime: 'lxc' };
    const nspawn = /^(?:systemd-nspawn@(.+)\.service|machine-(.+)\.scope)$/.exec(segment);
    if (nspawn) {
      const name = unescapeUnit(nspawn[1] ?? nspawn[2]!);
      return { kind: 'container', id: name, name, runtime: 'nspawn' };
    }
  }
  return null;
}

/** The AppId of an app-*.scope/.service unit, without launcher and random suffix; null otherwise. */
export function appIdOfUnit(unit: string): { launcher: string | null; appId: string } | null {
  const scope = /^app-(.+)-[0-9a-zA-Z]+\.scope$/.exec(unit);
  const service = /^app-(.+?)(?:@[^@]*)?\.service$/.exec(unit);
  const body = scope?.[1] ?? service?.[1];
  if (body === undefined) return null;
  const dash = body.indexOf('-');
  const first = dash > 0 ? unescapeUnit(body.slice(0, dash)) : null;
  const launcher = first !== null && LAUNCHERS.has(first) ? first : null;
  const appId = unescapeUnit(launcher === null ? body : body.slice(dash + 1));
  return appId === '' ? null : { launcher, appId };
}

function flatpakOf(unit: string): string | null {
  const match = /^(?:app-)?flatpak-(.+)-[0-9]+\.scope$/.exec(unit);
  return match ? unescapeUnit(match[1]!) : null;
}

function snapOf(unit: string): string | null {
  const match = /^snap\.([a-z0-9-]+)\.[^/]+\.(?:scope|service)$/.exec(unit);
  return match ? match[1]! : null;
}

/** The executable's file name, else the comm; `/snap/<name>/…` executables belong to that snap. */
function executableOf(exe: string | null, comm: string): AppInfo {
  const snap = exe === null ? null : /^\/snap\/([a-z0-9-]+)\//.exec(exe);
  if (snap) return { kind: 'snap', id: snap[1]! };
  const base = exe === null ? '' : exe.replace(/ \(deleted\)$/, '').slice(exe.lastIndexOf('/') + 1);
  return { kind: 'executable', id: base !== '' ? base : comm };
}

/**
 * The application of a process from its cgroup v2 path (null or '' when unknown), executable path
 * and comm. Containers win over units (a container's own systemd is inside the container's scope);
 * login sessions, terminal tabs (vte-spawn-…) and other plain scopes name no application, so the
 * executable does.
 */
export function appOf(cgroup: string | null, exe: string | null, comm: string): AppInfo {
  const segments = (cgroup ?? '').split('/').filter((segment) => segment !== '');
  const container = containerOf(segments);
  if (container) return container;
  const unit = segments.at(-1);
  if (unit === undefined) return executableOf(exe, comm);
  const flatpak = flatpakOf(unit);
  if (flatpak !== null) return { kind: 'flatpak', id: flatpak };
  const snap = snapOf(unit);
  if (snap !== null) return { kind: 'snap', id: snap };
  const desktop = appIdOfUnit(unit);
  if (desktop !== null) {
    if (desktop.launcher === 'flatpak') return { kind: 'flatpak', id: desktop.appId };
    return { kind: 'systemd', id: desktop.appId, unit };
  }
  if (unit.endsWith('.service') || unit === 'init.scope') return { kind: 'systemd', id: unit, unit };
  return executableOf(exe, comm);
}

/** A stable key for grouping and icon lookup: kind and id. */
export function appKey(app: AppInfo): string {
  return `${app.kind}:${app.id}`;
}
