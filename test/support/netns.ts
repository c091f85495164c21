// Test hosts in network namespaces this test run creates. Every address used lives on a veth pair
// whose far end is inside such a namespace: 10.213.N.0/24 and fd5e:213:N::/64, N unique per pair,
// checked unused before creation. Nothing is ever sent to any other address.

import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

let counter = 0;

export interface TestNet {
  /** Namespace name (for `ip netns exec`). */
  ns: string;
  /** veth end in the host namespace, and its ifindex there. */
  hostIf: string;
  hostIfindex: number;
  /** veth end inside the namespace. */
  nsIf: string;
  hostIp4: string;
  nsIp4: string;
  hostIp6: string;
  nsIp6: string;
  /** Runs a command inside the namespace and returns its stdout. */
  run(cmd: string, args: string[]): string;
  /** Spawns a long-lived process inside the namespace. */
  spawn(cmd: string, args: string[], options?: SpawnOptions): ChildProcess;
  destroy(): void;
}

export function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

function subnetInUse(n: number): boolean {
  const routes = ip(['-4', 'route', 'show', 'table', 'all']) + ip(['-6', 'route', 'show', 'table', 'all']);
  return routes.includes(`10.213.${n}.`) || routes.includes(`fd5e:213:${n.toString(16)}:`);
}

/** Creates a namespace joined to the host by a veth pair with IPv4 and IPv6 addresses on both ends. */
export function createTestNet(label = 't'): TestNet {
  // 1..250, never 0: "fd5e:213:0::2" is not how the kernel (RFC 5952) writes fd5e:213::2, and tests
  // compare address text.
  let n = 1 + ((process.pid + counter++ * 7) % 250);
  while (subnetInUse(n)) n = 1 + (n % 250);
  const tag = `${process.pid.toString(36)}${counter.toString(36)}`;
  const ns = `sm-${label}-${tag}`;
  const hostIf = `smh${tag}`.slice(0, 15);
  const nsIf = `smn${tag}`.slice(0, 15);
  const hex = n.toString(16);
  const net: TestNet = {
    ns,
    hostIf,
    hostIfindex: 0,
    nsIf,
    hostIp4: `10.213.${n}.1`,
    nsIp4: `10.213.${n}.2`,
    hostIp6: `fd5e:213:${hex}::1`,
    nsIp6: `fd5e:213:${hex}::2`,
    run: (cmd, args) => execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8' }),
    spawn: (cmd, args, options = {}) => spawn('ip', ['netns', 'exec', ns, cmd, ...args], options),
    destroy: () => {
      try {
        ip(['link', 'del', hostIf]);
      } catch {
        /* already gone with the namespace */
      }
      try {
        ip(['netns', 'del', ns]);
      } catch {
        /* already gone */
      }
    },
  };
  try {
    ip(['netns', 'add', ns]);
    ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    ip(['link', 'set', nsIf, 'netns', ns]);
    ip(['addr', 'add', `${net.hostIp4}/24`, 'dev', hostIf]);
    ip(['-6', 'addr', 'add', `${net.hostIp6}/64`, 'dev', hostIf, 'nodad']);
    ip(['link', 'set', hostIf, 'up']);
    net.run('ip', ['addr', 'add', `${net.nsIp4}/24`, 'dev', nsIf]);
    net.run('ip', ['-6', 'addr', 'add', `${net.nsIp6}/64`, 'dev', nsIf, 'nodad']);
    net.run('ip', ['link', 'set', nsIf, 'up']);
    net.run('ip', ['link', 'set', 'lo', 'up']);
    net.hostIfindex = Number(ip(['-o', 'link', 'show', hostIf]).split(':')[0]);
  } catch (err) {
    net.destroy();
    throw err;
  }
  return net;
}
