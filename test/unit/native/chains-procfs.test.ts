// The /proc fallback of the owner chains, on a fake /proc tree.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTimeFromStat } from '../../../src/common/proc-pid.js';
import { cgroupV2Root, parseProcAddress, parseProcNetTable, scanProcOwners } from '../../../native/procfs.js';

const TCP_HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

describe('/proc owner fallback', () => {
  const root = mkdtempSync(join(tmpdir(), 'smo-proc-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('parse /proc/net addresses (host-order words) and skip malformed rows', () => {
    expect([...parseProcAddress('0100007F')!.subarray(0, 4)]).toEqual([127, 0, 0, 1]);
    expect(parseProcAddress('0000000000000000FFFF00000100007F')!.toString('hex')).toBe('00000000000000000000ffff7f000001');
    expect(parseProcAddress('xyz')).toBeNull();
    const table = parseProcNetTable(
      `${TCP_HEADER}   0: 0100007F:1F90 0200007F:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 555 1\n   1: garbage\n   2: 0100007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 0 1\n`,
      6,
      4,
    );
    expect([...table.keys()]).toEqual(['555']);
    expect(table.get('555')).toMatchObject({ localPort: 8080, remotePort: 443, uid: 1000 });
  });

  it('read the start time behind a comm holding spaces and parentheses', () => {
    const fields = Array.from({ length: 30 }, (_, index) => String(index + 3));
    expect(startTimeFromStat(`42 (a (b) c) ${fields.join(' ')}`)).toBe(22);
    expect(startTimeFromStat('garbage')).toBeNull();
  });

  it('join sockets to their processes, normalizing dual-stack addresses', () => {
    mkdirSync(join(root, 'net'));
    writeFileSync(join(root, 'net/tcp'), `${TCP_HEADER}   0: 0100007F:1F90 0200007F:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 555 1\n`);
    writeFileSync(join(root, 'net/tcp6'), `${TCP_HEADER}   0: 0000000000000000FFFF00000100007F:0050 0000000000000000FFFF00000200007F:D431 01 0 0 0 0 0 777 1\n`);
    writeFileSync(join(root, 'net/udp'), `${TCP_HEADER}   0: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000  0  0 888 2\n`);
    writeFileSync(join(root, 'net/udp6'), TCP_HEADER);
    mkdirSync(join(root, '31/fd'), { recursive: true });
    writeFileSync(join(root, '31/comm'), 'curl\n');
    writeFileSync(join(root, '31/stat'), `31 (curl) S ${Array.from({ length: 30 }, () => '7').join(' ')}`);
    symlinkSync('socket:[555]', join(root, '31/fd/3'));
    symlinkSync('socket:[777]', join(root, '31/fd/4'));
    symlinkSync('socket:[888]', join(root, '31/fd/5'));
    symlinkSync('/dev/null', join(root, '31/fd/0'));
    mkdirSync(join(root, 'self'));
    const owners = scanProcOwners(root, () => 1);
    expect(owners).toEqual(
      expect.arrayContaining([
        { ts: 1, how: 'existing', cookie: null, family: 4, proto: 6, localIp: '127.0.0.1', localPort: 8080, remoteIp: '127.0.0.2', remotePort: 443, pid: 31, comm: 'curl', uid: 1000, startTime: 7 },
        expect.objectContaining({ family: 4, localIp: '127.0.0.1', localPort: 80, remoteIp: '127.0.0.2', remotePort: 54321 }),
        expect.objectContaining({ proto: 17, localIp: '0.0.0.0', localPort: 53, remoteIp: null, remotePort: null }),
      ]),
    );
    expect(owners).toHaveLength(3);
    expect(scanProcOwners(join(root, 'missing'))).toEqual([]);
  });

  it('find the cgroup-v2 mount', () => {
    expect(cgroupV2Root('cgroup /sys/fs/cgroup/cpu cgroup rw 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n')).toBe('/sys/fs/cgroup/unified');
    expect(cgroupV2Root('proc /proc proc rw 0 0\n')).toBeNull();
  });
});
