// A root-run `watch`/`serve` keeps root only for the helper (docs/design.md "Least privilege"): the
// CLI starts the helper, then becomes the user who ran sudo or pkexec (SUDO_UID / PKEXEC_UID), or
// `nobody` when there is none, before the engine (DNS parsing, GeoIP, the web server) exists.
// The user, their groups and their home come from /etc/passwd and /etc/group, never from the
// environment root was given (HOME and XDG_* may be root's). The drop is verified after the fact:
// real, effective, saved and filesystem ids, and the supplementary groups, from /proc/self/status.

import { readFileSync } from 'node:fs';

export interface TargetUser {
  name: string;
  uid: number;
  gid: number;
  /** Supplementary groups, as initgroups(3) would set them: the primary group and every group listing the user. */
  groups: number[];
  home: string;
}

export interface AccountFiles {
  passwd: string;
  group: string;
}

/** Fallback when /etc/passwd has no `nobody` (the kernel's overflow id). */
const NOBODY = 65534;

function readAccounts(): AccountFiles {
  const read = (path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  return { passwd: read('/etc/passwd'), group: read('/etc/group') };
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

function passwdEntries(passwd: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid, , home] = line.split(':');
    if (name === undefined || home === undefined || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) continue;
    entries.push({ name, uid: Number(uid), gid: Number(gid), home });
  }
  return entries;
}

function supplementaryGroups(group: string, name: string, primary: number): number[] {
  const groups = new Set<number>([primary]);
  for (const line of group.split('\n')) {
    const [, , gid, members] = line.split(':');
    if (!/^\d+$/.test(gid ?? '') || members === undefined) continue;
    if (members.split(',').some((member) => member.trim() === name)) groups.add(Number(gid));
  }
  return [...groups].sort((a, b) => a - b);
}

/** A uid from the environment: decimal, not root (sudo from a root shell leaves SUDO_UID=0). */
function invokingUid(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,10}$/.test(value)) return null;
  const uid = Number(value);
  return uid > 0 && uid < 0xffffffff ? uid : null;
}

/** Whom a root-run CLI becomes: the sudo/pkexec caller, else `nobody` (with no supplementary groups). */
export function targetUser(env: NodeJS.ProcessEnv, files: AccountFiles = readAccounts()): TargetUser {
  const entries = passwdEntries(files.passwd);
  const uid = invokingUid(env.SUDO_UID) ?? invokingUid(env.PKEXEC_UID);
  if (uid !== null) {
    const entry = entries.find((candidate) => candidate.uid === uid);
    // SUDO_GID is sudo's record of the caller's primary group; the passwd entry wins when there is one.
    const gid = entry?.gid ?? invokingUid(env.SUDO_GID) ?? NOBODY;
    const name = entry?.name ?? String(uid);
    return { name, uid, gid, groups: entry ? supplementaryGroups(files.group, entry.name, gid) : [gid], home: entry?.home ?? '/nonexistent' };
  }
  const nobody = entries.find((candidate) => candidate.name === 'nobody');
  return { name: 'nobody', uid: nobody?.uid ?? NOBODY, gid: nobody?.gid ?? NOBODY, groups: [], home: nobody?.home ?? '/nonexistent' };
}

export interface ProcessIds {
  setgroups(groups: number[]): void;
  setgid(id: number): void;
  setuid(id: number): void;
  /** /proc/self/status, read after the drop. */
  status(): string;
}

const NODE_IDS: ProcessIds = {
  setgroups: (groups) => process.setgroups?.(groups),
  setgid: (id) => process.setgid?.(id),
  setuid: (id) => process.setuid?.(id),
  status: () => readFileSync('/proc/self/status', 'utf8'),
};

function statusIds(status: string, field: 'Uid' | 'Gid' | 'Groups'): number[] {
  const line = status.split('\n').find((candidate) => candidate.startsWith(`${field}:`));
  if (line === undefined) return [];
  return line
    .slice(field.length + 1)
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '')
    .map(Number);
}

/**
 * Groups, then gid, then uid (after setuid nothing else may change). Throws when any id is not the
 * user's afterwards: running on as root by mistake is worse than not running.
 */
export function dropPrivileges(user: TargetUser, ids: ProcessIds = NODE_IDS): void {
  ids.setgroups(user.groups);
  ids.setgid(user.gid);
  ids.setuid(user.uid);
  const status = ids.status();
  const uids = statusIds(status, 'Uid');
  const gids = statusIds(status, 'Gid');
  const groups = statusIds(status, 'Groups').sort((a, b) => a - b);
  const ok =
    uids.length === 4 &&
    uids.every((id) => id === user.uid) &&
    gids.length === 4 &&
    gids.every((id) => id === user.gid) &&
    groups.join(',') === [...user.groups].sort((a, b) => a - b).join(',');
  if (!ok) throw new Error(`could not become ${user.name} (uid ${user.uid}): /proc/self/status says Uid ${uids.join(' ')}, Gid ${gids.join(' ')}, Groups ${groups.join(' ')}`);
}

/** The environment the engine runs with after the drop: the user's names and home, nothing of root's XDG dirs. */
export function userEnvironment(env: NodeJS.ProcessEnv, user: TargetUser): void {
  env.HOME = user.home;
  env.USER = user.name;
  env.LOGNAME = user.name;
  for (const key of Object.keys(env)) if (key.startsWith('XDG_')) delete env[key];
}
