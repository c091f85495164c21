import { describe, expect, it } from 'vitest';
import { processInfoOf } from '../../../src/core/apps/process-info.js';
import type { OwnerRecord } from '../../../src/shared/capture.js';
import { owner } from './fakes/records.js';

const keep = (app: NonNullable<ReturnType<typeof processInfoOf>['app']>) => app;

describe('processInfoOf', () => {
  it('passes lineage through and derives the app from the cgroup', () => {
    const info = processInfoOf(owner({ pid: 5, comm: 'curl', exe: '/usr/bin/curl', parents: [{ pid: 4, name: 'sh' }], cgroup: '/system.slice/cron.service', netns: 4026532001 }), 'alice', keep);
    expect(info).toMatchObject({ pid: 5, user: 'alice', parents: [{ pid: 4, name: 'sh' }], cgroup: '/system.slice/cron.service', netns: 4026532001, app: { kind: 'systemd', id: 'cron.service' } });
  });

  it('drops lineage of the wrong shape (another helper build, junk) instead of passing it on', () => {
    const junk = { ...owner({ comm: 'curl', exe: null }), parents: 'x', cgroup: 7, netns: -1 } as unknown as OwnerRecord;
    const info = processInfoOf(junk, null, keep);
    expect(info).not.toHaveProperty('parents');
    expect(info).not.toHaveProperty('cgroup');
    expect(info).not.toHaveProperty('netns');
    expect(info.app).toEqual({ kind: 'executable', id: 'curl' });
    const partial = { ...owner(), parents: [{ pid: 1, name: 'a' }, { pid: 'x' }, { pid: 3, name: 'c' }, 1, 2, 3], cgroup: 'relative/path' } as unknown as OwnerRecord;
    expect(processInfoOf(partial, null, keep)).toMatchObject({ parents: [{ pid: 1, name: 'a' }] });
    expect(processInfoOf(partial, null, keep)).not.toHaveProperty('cgroup');
  });

  it('names the app through the namer', () => {
    const info = processInfoOf(owner({ exe: '/usr/bin/curl' }), null, (app) => ({ ...app, name: 'Named' }));
    expect(info.app?.name).toBe('Named');
  });

  it("takes a container's name from the helper, when it is a plain name", () => {
    const cgroup = `/system.slice/docker-${'a'.repeat(64)}.scope`;
    expect(processInfoOf(owner({ cgroup, container: 'web-1' }), null, keep).app).toEqual({ kind: 'container', id: 'aaaaaaaaaaaa', runtime: 'docker', name: 'web-1' });
    expect(processInfoOf(owner({ cgroup, container: 'a b\u001b' }), null, keep).app).not.toHaveProperty('name');
  });
});
