import { describe, expect, it } from 'vitest';
import { appIdOfUnit, appKey, appOf, unescapeUnit } from '../../../src/core/apps/app-from-cgroup.js';

const HEX = '3f1c2b9a7d6e5f40112233445566778899aabbccddeeff00112233445566aabb';

describe('appOf: real cgroup v2 paths', () => {
  it.each([
    // systemd system services and the manager itself
    ['/system.slice/nginx.service', '/usr/sbin/nginx', 'nginx', { kind: 'systemd', id: 'nginx.service', unit: 'nginx.service' }],
    ['/system.slice/systemd-resolved.service', '/usr/lib/systemd/systemd-resolved', 'systemd-resolve', { kind: 'systemd', id: 'systemd-resolved.service' }],
    ['/init.scope', '/usr/lib/systemd/systemd', 'systemd', { kind: 'systemd', id: 'init.scope' }],
    ['/system.slice/system-getty.slice/getty@tty1.service', '/sbin/agetty', 'agetty', { kind: 'systemd', id: 'getty@tty1.service' }],
    // user services and desktop apps (GNOME, KDE, escaped names, dbus-activated)
    ['/user.slice/user-1000.slice/user@1000.service/session.slice/pipewire.service', '/usr/bin/pipewire', 'pipewire', { kind: 'systemd', id: 'pipewire.service' }],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-1234.scope', '/usr/lib/firefox/firefox', 'firefox', { kind: 'systemd', id: 'firefox', unit: 'app-gnome-firefox-1234.scope' }],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-org.gnome.Terminal-4012.scope', '/usr/libexec/gnome-terminal-server', 'gnome-terminal-', { kind: 'systemd', id: 'org.gnome.Terminal' }],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-google\\x2dchrome-88211.scope', '/opt/google/chrome/chrome', 'chrome', { kind: 'systemd', id: 'google-chrome' }],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.kde.konsole-5f3a9e0c1b2d4e6f.scope', '/usr/bin/konsole', 'konsole', { kind: 'systemd', id: 'org.kde.konsole' }],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-org.gnome.Nautilus@9f2c.service', '/usr/bin/nautilus', 'nautilus', { kind: 'systemd', id: 'org.gnome.Nautilus' }],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Evolution\\x2dalarm\\x2dnotify-2301.scope', '/usr/libexec/evolution-data-server/evolution-alarm-notify', 'evolution-alarm', { kind: 'systemd', id: 'org.gnome.Evolution-alarm-notify' }],
    // Flatpak, old and new unit names
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-flatpak-org.mozilla.firefox-2345.scope', '/app/lib/firefox/firefox-bin', 'firefox-bin', { kind: 'flatpak', id: 'org.mozilla.firefox' }],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/flatpak-com.spotify.Client-77.scope', '/app/extra/share/spotify/spotify', 'spotify', { kind: 'flatpak', id: 'com.spotify.Client' }],
    // Snap: scope from snap run, daemons, and an exe under /snap with no unit
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/snap.firefox.firefox-6bc1a9e2-2b1f-4c86-9d1e-cb3a8f5e0a71.scope', '/snap/firefox/4033/usr/lib/firefox/firefox', 'firefox', { kind: 'snap', id: 'firefox' }],
    ['/system.slice/snap.lxd.daemon.service', '/snap/lxd/26093/bin/lxd', 'lxd', { kind: 'snap', id: 'lxd' }],
    ['/user.slice/user-1000.slice/session-3.scope', '/snap/code/150/usr/share/code/code', 'code', { kind: 'snap', id: 'code' }],
    // login sessions and terminal tabs name no app: the executable does
    ['/user.slice/user-1000.slice/session-3.scope', '/usr/bin/curl', 'curl', { kind: 'executable', id: 'curl' }],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-0c5b0a8e-7f1e-4b3f-9f53-2c8e1f1b4a77.scope', '/usr/bin/python3.11', 'python3', { kind: 'executable', id: 'python3.11' }],
    // containers: systemd and cgroupfs drivers, Podman rootless, Kubernetes, CRI-O, LXC, nspawn
    [`/system.slice/docker-${HEX}.scope`, '/usr/bin/curl', 'curl', { kind: 'container', id: HEX.slice(0, 12), runtime: 'docker' }],
    [`/docker/${HEX}`, '/usr/bin/curl', 'curl', { kind: 'container', id: HEX.slice(0, 12), runtime: 'docker' }],
    [`/system.slice/docker-${HEX}.scope/system.slice/nginx.service`, '/usr/sbin/nginx', 'nginx', { kind: 'container', id: HEX.slice(0, 12) }],
    [`/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${HEX}.scope/container`, '/usr/bin/node', 'node', { kind: 'container', id: HEX.slice(0, 12), runtime: 'podman' }],
    [`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod5c2e1f3a_6b7d_4e8f_9a0b_1c2d3e4f5a6b.slice/cri-containerd-${HEX}.scope`, '/app', 'app', { kind: 'container', id: HEX.slice(0, 12), runtime: 'containerd' }],
    [`/kubepods/besteffort/pod5c2e1f3a-6b7d-4e8f-9a0b-1c2d3e4f5a6b/${HEX}`, '/app', 'app', { kind: 'container', id: HEX.slice(0, 12), runtime: 'kubernetes' }],
    [`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podabc.slice/crio-${HEX}.scope`, '/app', 'app', { kind: 'container', id: HEX.slice(0, 12), runtime: 'cri-o' }],
    ['/lxc.payload.web01/system.slice/nginx.service', '/usr/sbin/nginx', 'nginx', { kind: 'container', id: 'web01', name: 'web01', runtime: 'lxc' }],
    ['/machine.slice/systemd-nspawn@debian\\x2dbuild.service/payload/system.slice/cron.service', '/usr/sbin/cron', 'cron', { kind: 'container', id: 'debian-build', runtime: 'nspawn' }],
    ['/machine.slice/machine-fedora.scope/payload', '/usr/bin/dnf', 'dnf', { kind: 'container', id: 'fedora', runtime: 'nspawn' }],
  ])('%s', (cgroup, exe, comm, expected) => {
    expect(appOf(cgroup, exe, comm)).toMatchObject(expected);
  });

  it('conmon scopes are the monitor, not the container', () => {
    expect(appOf(`/machine.slice/libpod-conmon-${HEX}.scope`, '/usr/bin/conmon', 'conmon')).toEqual({ kind: 'executable', id: 'conmon' });
    expect(appOf(`/system.slice/crio-conmon-${HEX}.scope`, '/usr/bin/conmon', 'conmon')).toEqual({ kind: 'executable', id: 'conmon' });
  });

  it('needs the whole 64-digit id: a shorter docker-like name is no container', () => {
    expect(appOf('/system.slice/docker-3f1c2b9a7d6e.scope', '/usr/bin/curl', 'curl')).toEqual({ kind: 'executable', id: 'curl' });
    expect(appOf(`/system.slice/docker-${HEX.toUpperCase()}.scope`, null, 'curl')).toEqual({ kind: 'executable', id: 'curl' });
  });

  it('falls back to the executable, then the comm, when the cgroup is unknown', () => {
    expect(appOf(null, '/usr/lib/apt/methods/http', 'http')).toEqual({ kind: 'executable', id: 'http' });
    expect(appOf('', null, 'kworker/0:1')).toEqual({ kind: 'executable', id: 'kworker/0:1' });
    expect(appOf('/', '/usr/bin/vim (deleted)', 'vim')).toEqual({ kind: 'executable', id: 'vim' });
    expect(appOf('/user.slice', '/', 'x')).toEqual({ kind: 'executable', id: 'x' });
  });

  it('keys apps by kind and id', () => {
    expect(appKey({ kind: 'flatpak', id: 'org.mozilla.firefox' })).toBe('flatpak:org.mozilla.firefox');
  });
});

describe('unit names', () => {
  it('undo systemd escaping only for valid \\xNN', () => {
    expect(unescapeUnit('google\\x2dchrome')).toBe('google-chrome');
    expect(unescapeUnit('odd\\xZZ')).toBe('odd\\xZZ');
  });

  it('split launcher, app id and random suffix', () => {
    expect(appIdOfUnit('app-gnome-firefox-1234.scope')).toEqual({ launcher: 'gnome', appId: 'firefox' });
    expect(appIdOfUnit('app-firefox-1234.scope')).toEqual({ launcher: null, appId: 'firefox' });
    expect(appIdOfUnit('app-dbus\\x2d:1.2\\x2dorg.freedesktop.portal.Desktop@0.service')).toEqual({ launcher: null, appId: 'dbus-:1.2-org.freedesktop.portal.Desktop' });
    expect(appIdOfUnit('nginx.service')).toBeNull();
    expect(appIdOfUnit('app-.scope')).toBeNull();
  });
});
