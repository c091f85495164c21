// Names apps as a person would: the desktop entry of a Flatpak id, a snap, an app-*.scope's app id
// or an executable gives the display name and the icon. Runs in the engine, as the user, so the
// user's own entries (~/.local/share/applications) count and root never parses user files. The
// applications dirs are indexed on first use and again at most once a minute when an app is not
// found (new installs); icons are read once per entry.

import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AppInfo } from '../../shared/contract.js';
import { dataDirs, MAX_DESKTOP_FILE, parseDesktopEntry, type DesktopEntry } from './desktop-entry.js';
import { findIcon, readSmallFile } from './icon-lookup.js';

const MAX_ENTRIES = 5000;
const MAX_DEPTH = 3;
const RESCAN_MS = 60_000;

export interface DesktopNamesOptions {
  env?: NodeJS.ProcessEnv;
  home?: string;
  now?: () => number;
}

export class DesktopNames {
  private readonly dirs: string[];
  private readonly home: string;
  private readonly now: () => number;
  private byId = new Map<string, DesktopEntry>();
  private byProgram = new Map<string, DesktopEntry>();
  private scannedAt = -Infinity;
  private readonly icons = new Map<string, string | null>();

  constructor(options: DesktopNamesOptions = {}) {
    this.home = options.home ?? homedir();
    this.dirs = dataDirs(options.env ?? process.env, this.home);
    this.now = options.now ?? Date.now;
  }

  /** `app` with `name` and `desktop` from its desktop entry, when one matches. */
  readonly nameApp = (app: AppInfo, exe: string | null): AppInfo => {
    // A miss rescans at most once a minute (a scan reads every desktop file: ~10 ms per 500).
    let entry = this.find(app, exe);
    if (entry === null && this.rescanDue()) {
      this.scan();
      entry = this.find(app, exe);
    }
    if (entry === null) return app;
    return { ...app, name: entry.name, desktop: entry.id };
  };

  /** The icon of a desktop entry id as a data: URL, or null. */
  iconOf(desktopId: string): string | null {
    if (this.icons.has(desktopId)) return this.icons.get(desktopId)!;
    const icon = this.byId.get(desktopId)?.icon ?? null;
    const url = icon === null ? null : findIcon(icon, this.dirs, this.home);
    this.icons.set(desktopId, url);
    return url;
  }

  private rescanDue(): boolean {
    return this.now() - this.scannedAt >= RESCAN_MS;
  }

  private find(app: AppInfo, exe: string | null): DesktopEntry | null {
    if (this.scannedAt === -Infinity) this.scan();
    switch (app.kind) {
      case 'flatpak':
        return this.byId.get(app.id) ?? null;
      case 'snap':
        return this.byId.get(`${app.id}_${app.id}`) ?? [...this.byId.values()].find((entry) => entry.id.startsWith(`${app.id}_`)) ?? null;
      case 'systemd':
        // app-*.scope/service units name a desktop id; plain services (nginx.service) have none.
        return app.unit !== undefined && app.unit !== app.id ? (this.byId.get(app.id) ?? this.byProgram.get(app.id) ?? null) : null;
      case 'container':
        return null;
      case 'executable': {
        const program = exe === null ? app.id : exe.slice(exe.lastIndexOf('/') + 1);
        return this.byProgram.get(program) ?? this.byId.get(program) ?? null;
      }
    }
  }

  private scan(): void {
    this.scannedAt = this.now();
    const byId = new Map<string, DesktopEntry>();
    const byProgram = new Map<string, DesktopEntry>();
    let count = 0;
    const visit = (dir: string, prefix: string, depth: number): void => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const dirent of entries) {
        if (count >= MAX_ENTRIES) return;
        if (dirent.isDirectory() && depth < MAX_DEPTH) visit(join(dir, dirent.name), `${prefix}${dirent.name}-`, depth + 1);
        if (!dirent.name.endsWith('.desktop')) continue;
        const id = prefix + dirent.name.slice(0, -'.desktop'.length);
        if (byId.has(id)) continue; // earlier dirs win (data home first)
        count++;
        const bytes = readSmallFile(join(dir, dirent.name), MAX_DESKTOP_FILE);
        const entry = bytes === null ? null : parseDesktopEntry(id, bytes.toString('utf8'));
        if (entry === null) continue;
        byId.set(id, entry);
        for (const key of [entry.program, entry.wmClass?.toLowerCase() ?? null]) {
          if (key === null) continue;
          const held = byProgram.get(key);
          // A visible entry beats a hidden one (NoDisplay helpers share programs with the real app).
          if (held === undefined || (held.hidden && !entry.hidden)) byProgram.set(key, entry);
        }
      }
    };
    for (const dir of this.dirs) visit(join(dir, 'applications'), '', 0);
    this.byId = byId;
    this.byProgram = byProgram;
    this.icons.clear();
  }
}
