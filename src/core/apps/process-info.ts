// The contract's ProcessInfo from an owner record: identity, lineage (parents, cgroup, netns) and the
// application. The helper is ours but may be another build, so lineage fields are taken only when
// they have the documented shapes; the app is derived here, as the user (app-from-cgroup.ts), and
// named by the injected describer (desktop entries, desktop-names.ts).

import type { OwnerRecord } from '../../shared/capture.js';
import type { AppInfo, ParentProcess, ProcessInfo } from '../../shared/contract.js';
import { appOf } from './app-from-cgroup.js';

const MAX_PARENTS = 4;
const MAX_CGROUP = 4096;

/** What an owner record says about its process (the rest of the record is about the socket). */
export type OwnerProcess = Pick<OwnerRecord, 'pid' | 'comm' | 'uid' | 'startTime' | 'exe' | 'cmdline' | 'parents' | 'cgroup' | 'netns' | 'container'>;

export type AppNamer = (app: AppInfo, exe: string | null) => AppInfo;

function parentsOf(value: unknown): ParentProcess[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const parents: ParentProcess[] = [];
  for (const entry of value.slice(0, MAX_PARENTS)) {
    const { pid, name } = (entry ?? {}) as Record<string, unknown>;
    if (!Number.isSafeInteger(pid) || typeof name !== 'string') break;
    parents.push({ pid: pid as number, name: name.slice(0, 64) });
  }
  return parents;
}

export function processInfoOf(owner: OwnerProcess, user: string | null, nameApp: AppNamer): ProcessInfo {
  const info: ProcessInfo = { pid: owner.pid, name: owner.comm, exe: owner.exe, cmdline: owner.cmdline, uid: owner.uid, user };
  const parents = parentsOf(owner.parents);
  if (parents !== undefined) info.parents = parents;
  const cgroup = typeof owner.cgroup === 'string' && owner.cgroup.startsWith('/') ? owner.cgroup.slice(0, MAX_CGROUP) : undefined;
  if (cgroup !== undefined) info.cgroup = cgroup;
  if (Number.isSafeInteger(owner.netns) && (owner.netns as number) > 0) info.netns = owner.netns;
  const app = appOf(cgroup ?? null, owner.exe, owner.comm);
  // A container's name (from the runtime's files, via the helper) is its display name.
  if (app.kind === 'container' && app.name === undefined && typeof owner.container === 'string' && /^[\w.-]{1,128}$/.test(owner.container)) {
    app.name = owner.container;
  }
  info.app = nameApp(app, owner.exe);
  return info;
}
