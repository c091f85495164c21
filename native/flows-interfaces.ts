// Interfaces of the host network namespace, from sysfs, and how the TC parser must read each one.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LINK_ETHERNET, LINK_NONE } from './flows-layout.js';

export interface InterfaceInfo {
  name: string;
  ifindex: number;
  /** LINK_ETHERNET or LINK_NONE (bpf/snitchmap.h sm_iface_config). */
  link: number;
}

/** ARPHRD_ETHER (1) covers Ethernet, Wi-Fi, veth, bridges, VLAN devices, gretap; ARPHRD_LOOPBACK (772)
 * presents a zeroed Ethernet header at TC. Everything else (ipip 768, ip6tnl 769, sit 776, gre 778,
 * PPP 512, tun/wireguard 65534, ...) hands TC the bare IP packet. */
export function linkModeForType(arphrd: number): number {
  return arphrd === 1 || arphrd === 772 ? LINK_ETHERNET : LINK_NONE;
}

function readNumber(path: string): number | null {
  try {
    const value = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/** Reads one interface; null when it vanished meanwhile. */
export function readInterface(name: string, sysfs = '/sys/class/net'): InterfaceInfo | null {
  const ifindex = readNumber(join(sysfs, name, 'ifindex'));
  const type = readNumber(join(sysfs, name, 'type'));
  if (ifindex === null || type === null) return null;
  return { name, ifindex, link: linkModeForType(type) };
}

export function listInterfaces(sysfs = '/sys/class/net'): InterfaceInfo[] {
  let names: string[];
  try {
    names = readdirSync(sysfs);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const info = readInterface(name, sysfs);
    return info ? [info] : [];
  });
}
