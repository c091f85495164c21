import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContainerNames, containerIdOf } from '../../../src/helper/container-names.js';

const root = mkdtempSync(join(tmpdir(), 'sm-containers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

function dockerConfig(id: string, text: string): void {
  mkdirSync(join(root, 'var/lib/docker/containers', id), { recursive: true });
  writeFileSync(join(root, 'var/lib/docker/containers', id, 'config.v2.json'), text);
}

describe('container names from the runtimes\' files', () => {
  it('finds the id in Docker and Podman cgroup paths, not in conmon or short ids', () => {
    expect(containerIdOf(`/system.slice/docker-${A}.scope`)).toEqual({ runtime: 'docker', id: A });
    expect(containerIdOf(`/docker/${A}/sub`)).toEqual({ runtime: 'docker', id: A });
    expect(containerIdOf(`/machine.slice/libpod-${B}.scope/container`)).toEqual({ runtime: 'podman', id: B });
    expect(containerIdOf(`/machine.slice/libpod-conmon-${B}.scope`)).toBeNull();
    expect(containerIdOf('/system.slice/docker-abc.scope')).toBeNull();
  });

  it('reads Docker config.v2.json and Podman containers.json; junk names nothing', () => {
    dockerConfig(A, JSON.stringify({ ID: A, Name: '/web-1' }));
    dockerConfig(C, '{"Name": "/\\u001b[31mred"}');
    mkdirSync(join(root, 'var/lib/containers/storage/overlay-containers'), { recursive: true });
    writeFileSync(join(root, 'var/lib/containers/storage/overlay-containers/containers.json'), JSON.stringify([{ id: B, names: ['db'] }]));
    const names = new ContainerNames(root);
    expect(names.nameOf(`/system.slice/docker-${A}.scope`)).toBe('web-1');
    expect(names.nameOf(`/machine.slice/libpod-${B}.scope`)).toBe('db');
    expect(names.nameOf(`/system.slice/docker-${C}.scope`)).toBeNull();
    expect(names.nameOf(`/system.slice/docker-${'d'.repeat(64)}.scope`)).toBeNull();
    expect(names.nameOf('/system.slice/nginx.service')).toBeNull();
    dockerConfig(A, 'not json');
    // cached per id: the name read first stays
    expect(names.nameOf(`/system.slice/docker-${A}.scope`)).toBe('web-1');
    expect(new ContainerNames(root).nameOf(`/system.slice/docker-${A}.scope`)).toBeNull();
  });
});
