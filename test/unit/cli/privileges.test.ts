// Whom a root-run CLI becomes, from the account files (never from root's environment), and the
// check after the drop. The drop itself, for real, is test/kernel/privilege-drop.test.ts.
import { describe, expect, it } from 'vitest';
import { dropPrivileges, targetUser, userEnvironment, type ProcessIds } from '../../../src/cli/privileges.js';

const files = {
  passwd: ['root:x:0:0:root:/root:/bin/bash', 'alice:x:1000:1000:Alice:/home/alice:/bin/bash', 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin', 'broken:x:abc:1::/x:'].join('\n'),
  group: ['root:x:0:', 'adm:x:4:syslog,alice', 'wireshark:x:120:bob, alice', 'alice:x:1000:', 'sudo:x:27:bob'].join('\n'),
};

describe('targetUser', () => {
  it('is the sudo caller, with the groups initgroups would give and the home from /etc/passwd', () => {
    expect(targetUser({ SUDO_UID: '1000', SUDO_GID: '1000', HOME: '/root', XDG_CONFIG_HOME: '/root/.config' }, files)).toEqual({
      name: 'alice',
      uid: 1000,
      gid: 1000,
      groups: [4, 120, 1000],
      home: '/home/alice',
    });
  });

  it('is the pkexec caller when there is no sudo', () => {
    expect(targetUser({ PKEXEC_UID: '1000' }, files)).toMatchObject({ name: 'alice', uid: 1000 });
  });

  it('is nobody, without supplementary groups, when no caller is known or the caller is root or junk', () => {
    const nobody = { name: 'nobody', uid: 65534, gid: 65534, groups: [], home: '/nonexistent' };
    for (const env of [{}, { SUDO_UID: '0' }, { SUDO_UID: '-1' }, { SUDO_UID: '1000x' }, { PKEXEC_UID: '' }, { SUDO_UID: '99999999999' }]) {
      expect(targetUser(env, files), JSON.stringify(env)).toEqual(nobody);
    }
    expect(targetUser({}, { passwd: '', group: '' })).toEqual({ ...nobody, home: '/nonexistent' });
  });

  it('keeps an unknown caller uid (no passwd entry) with its SUDO_GID and no other groups', () => {
    expect(targetUser({ SUDO_UID: '4242', SUDO_GID: '4243' }, files)).toEqual({ name: '4242', uid: 4242, gid: 4243, groups: [4243], home: '/nonexistent' });
  });
});

function fakeIds(status: string): ProcessIds & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    setgroups: (groups) => void calls.push(`setgroups ${groups.join(',')}`),
    setgid: (id) => void calls.push(`setgid ${id}`),
    setuid: (id) => void calls.push(`setuid ${id}`),
    status: () => status,
  };
}

describe('dropPrivileges', () => {
  const alice = { name: 'alice', uid: 1000, gid: 1000, groups: [4, 1000], home: '/home/alice' };

  it('sets groups, then gid, then uid, and checks all four ids and the groups in /proc/self/status', () => {
    const ids = fakeIds('Name:\tnode\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nGroups:\t1000 4 \n');
    dropPrivileges(alice, ids);
    expect(ids.calls).toEqual(['setgroups 4,1000', 'setgid 1000', 'setuid 1000']);
  });

  it('throws when any id stayed root (saved uid, a group)', () => {
    expect(() => dropPrivileges(alice, fakeIds('Uid:\t1000\t1000\t0\t1000\nGid:\t1000\t1000\t1000\t1000\nGroups:\t4 1000\n'))).toThrow(/could not become alice/);
    expect(() => dropPrivileges(alice, fakeIds('Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nGroups:\t0 4 1000\n'))).toThrow(/Groups 0 4 1000/);
    expect(() => dropPrivileges(alice, fakeIds(''))).toThrow(/could not become/);
  });

  it("gives the engine the user's home and names, and none of root's XDG dirs", () => {
    const env: NodeJS.ProcessEnv = { HOME: '/root', USER: 'root', XDG_CONFIG_HOME: '/root/.config', XDG_RUNTIME_DIR: '/run/user/0', PATH: '/usr/bin' };
    userEnvironment(env, alice);
    expect(env).toEqual({ HOME: '/home/alice', USER: 'alice', LOGNAME: 'alice', PATH: '/usr/bin' });
  });
});
