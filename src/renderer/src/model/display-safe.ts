// Names in a connection event come from the network (DNS answers), other processes (comm, exe,
// cmdline) and data files (GeoIP, ASN, locations). React renders them as text, which stops markup
// but not bidi controls: a right-to-left override makes `moc.knab` read `bank.com`. The store keeps
// only neutralised copies, so every panel, tooltip, filter and search sees the same safe text.

import { neutralizeBidi } from '../../../shared/bidi.js';
import type { ConnectionEvent } from '../../../shared/contract.js';

// Typed, not trusted (event-check.ts checks only what the UI indexes on): non-strings pass as they are.
function safe<T>(text: T): T {
  return (typeof text === 'string' ? neutralizeBidi(text) : text) as T;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

export function displaySafe(event: ConnectionEvent): ConnectionEvent {
  const { remote, process } = event;
  const geo = remote.geo;
  const asn = remote.asn;
  return {
    ...event,
    remote: {
      ...remote,
      host: safe(remote.host),
      geo: isObject(geo) ? { ...geo, country: safe(geo.country), city: safe(geo.city) } : geo,
      asn: isObject(asn) ? { ...asn, org: safe(asn.org) } : asn,
    },
    process: isObject(process)
      ? {
          ...process,
          name: safe(process.name),
          exe: safe(process.exe),
          cmdline: safe(process.cmdline),
          user: safe(process.user),
          ...lineage(process),
        }
      : process,
  };
}

/** The additive app fields (issue 14), neutralised; malformed ones dropped so panels can index them. */
function lineage(process: ConnectionEvent['process'] & object): Partial<NonNullable<ConnectionEvent['process']>> {
  const { app, parents, cgroup } = process;
  return {
    app: isObject(app) && typeof app.id === 'string' && typeof app.kind === 'string'
      ? { ...app, id: safe(app.id), name: safe(app.name), unit: safe(app.unit), runtime: safe(app.runtime), desktop: safe(app.desktop) }
      : undefined,
    parents: Array.isArray(parents)
      ? parents.filter((parent) => isObject(parent) && typeof parent.name === 'string').map((parent) => ({ ...parent, name: safe(parent.name) }))
      : undefined,
    cgroup: typeof cgroup === 'string' ? safe(cgroup) : undefined,
  };
}
