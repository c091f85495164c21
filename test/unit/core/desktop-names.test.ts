import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataDirs, parseDesktopEntry, programOf } from '../../../src/core/apps/desktop-entry.js';
import { DesktopNames } from '../../../src/core/apps/desktop-names.js';
import { iconCandidates, iconDataUrl } from '../../../src/core/apps/icon-lookup.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'xdg-data');
const HOME_SHARE = join(FIXTURE, 'home-share');
const env = { XDG_DATA_DIRS: `${FIXTURE}:relative/ignored`, XDG_DATA_HOME: HOME_SHARE };
const names = (now = () => 0) => new DesktopNames({ env, home: '/nonexistent-home', now });

describe('desktop entries from a fixture data dir (XDG_DATA_DIRS, XDG_DATA_HOME)', () => {
  it('name a Flatpak app by its id, with its hicolor SVG icon', () => {
    const catalog = names();
    const app = catalog.nameApp({ kind: 'flatpak', id: 'org.mozilla.firefox' }, '/app/lib/firefox/firefox-bin');
    expect(app).toEqual({ kind: 'flatpak', id: 'org.mozilla.firefox', name: 'Firefox Web Browser', desktop: 'org.mozilla.firefox' });
    expect(catalog.iconOf('org.mozilla.firefox')).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(catalog.iconOf('org.mozilla.firefox')!.split(',')[1]!, 'base64').toString()).toContain('<svg');
  });

  it('name a snap by <snap>_<app>.desktop; a missing absolute icon gives none', () => {
    const catalog = names();
    expect(catalog.nameApp({ kind: 'snap', id: 'firefox' }, null)).toMatchObject({ name: 'Firefox (snap)', desktop: 'firefox_firefox' });
    expect(catalog.iconOf('firefox_firefox')).toBeNull();
  });

  it('name an app-*.scope app id; the data home wins over the data dirs', () => {
    const catalog = names();
    const app = catalog.nameApp({ kind: 'systemd', id: 'org.gnome.Terminal', unit: 'app-gnome-org.gnome.Terminal-12.scope' }, null);
    expect(app).toMatchObject({ name: 'Terminal (mine)', desktop: 'org.gnome.Terminal' });
    expect(catalog.iconOf('org.gnome.Terminal')).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
  });

  it('name executables by Exec program (visible entries first), and by subdir ids (kde-…)', () => {
    const catalog = names();
    expect(catalog.nameApp({ kind: 'executable', id: 'curl' }, '/usr/bin/curl')).toMatchObject({ name: 'Transfer Tool', desktop: 'transfer' });
    expect(catalog.iconOf('transfer')).toMatch(/^data:image\/png;base64,/);
    expect(catalog.nameApp({ kind: 'executable', id: 'konsole' }, '/usr/bin/konsole')).toMatchObject({ name: 'Konsole', desktop: 'kde-org.kde.konsole' });
    // a file named .png that is not a PNG is no icon
    expect(catalog.iconOf('kde-org.kde.konsole')).toBeNull();
  });

  it('leave services, containers and unknown programs as derived; never follow an icon name out of the theme', () => {
    const catalog = names();
    const service = { kind: 'systemd' as const, id: 'nginx.service', unit: 'nginx.service' };
    expect(catalog.nameApp(service, '/usr/sbin/nginx')).toBe(service);
    expect(catalog.nameApp({ kind: 'container', id: '3f1c2b9a7d6e' }, '/usr/bin/firefox')).toEqual({ kind: 'container', id: '3f1c2b9a7d6e' });
    expect(catalog.nameApp({ kind: 'executable', id: 'nothing' }, '/usr/bin/nothing')).toEqual({ kind: 'executable', id: 'nothing' });
    expect(catalog.nameApp({ kind: 'executable', id: 'evil' }, '/usr/bin/evil')).toMatchObject({ desktop: 'evil' });
    expect(catalog.iconOf('evil')).toBeNull();
    expect(iconCandidates('../../../../etc/passwd', [FIXTURE], '/h')).toEqual([]);
  });
});

describe('rescans', () => {
  const dir = mkdtempSync(join(tmpdir(), 'snitchmap-apps-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('find an app installed later, after the rescan interval, and only then', () => {
    let now = 0;
    const catalog = new DesktopNames({ env: { XDG_DATA_DIRS: dir, XDG_DATA_HOME: join(dir, 'none') }, home: '/nonexistent', now: () => now });
    expect(catalog.nameApp({ kind: 'flatpak', id: 'org.example.New' }, null).name).toBeUndefined();
    mkdirSync(join(dir, 'applications'));
    writeFileSync(join(dir, 'applications', 'org.example.New.desktop'), '[Desktop Entry]\nType=Application\nName=New\n');
    now = 30_000;
    expect(catalog.nameApp({ kind: 'flatpak', id: 'org.example.New' }, null).name).toBeUndefined();
    now = 61_000;
    expect(catalog.nameApp({ kind: 'flatpak', id: 'org.example.New' }, null).name).toBe('New');
  });
});

describe('desktop entry parsing', () => {
  it('reads only the [Desktop Entry] group, unlocalized keys, and refuses non-applications', () => {
    expect(parseDesktopEntry('a', '[Desktop Entry]\nName[fr]=Un\nName=One\nExec=one --x\n[Desktop Action x]\nName=Two\n')).toMatchObject({ name: 'One', program: 'one' });
    expect(parseDesktopEntry('a', '[Desktop Entry]\nType=Link\nName=L\n')).toBeNull();
    expect(parseDesktopEntry('a', 'garbage\0\xff')).toBeNull();
    expect(parseDesktopEntry('a', '[Other]\nName=X\n')).toBeNull();
    expect(parseDesktopEntry('a', '[Desktop Entry]\nExec=x\n')).toBeNull();
  });

  it('take the program of an Exec line', () => {
    expect(programOf('/usr/bin/firefox %u')).toBe('firefox');
    expect(programOf('env A=1 B=2 /snap/bin/code --new-window')).toBe('code');
    expect(programOf('"/opt/My Apps/tool" -x')).toBe('tool');
    expect(programOf('%U')).toBeNull();
    expect(programOf('')).toBeNull();
  });

  it('default the data dirs as the XDG spec says, with Flatpak and snap exports', () => {
    expect(dataDirs({}, '/home/u')).toEqual(['/home/u/.local/share', '/usr/local/share', '/usr/share', '/home/u/.local/share/flatpak/exports/share', '/var/lib/flatpak/exports/share', '/var/lib/snapd/desktop']);
    expect(dataDirs({ XDG_DATA_DIRS: '/a:rel:/b', XDG_DATA_HOME: 'rel' }, '/h')).toEqual(['/h/.local/share', '/a', '/b']);
  });

  it('make data: URLs of PNG and SVG bytes only', () => {
    expect(iconDataUrl(Buffer.from('<?xml version="1.0"?><svg xmlns="x"></svg>'))).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(iconDataUrl(Buffer.from('GIF89a....'))).toBeNull();
    expect(iconDataUrl(Buffer.from('<html><script>'))).toBeNull();
  });
});
