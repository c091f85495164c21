// A connection event as OpenTelemetry log attributes, named by the semantic conventions
// (docs/design.md "Metrics, OTLP and fleet"). Stable names come from the package's main entry; the
// incubating ones (process.*, geo.*, host.name) from its `incubating` entry, pinned with the package
// because incubating names may still change.

import type { AnyValueMap } from '@opentelemetry/api-logs';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_CLIENT_PORT,
  ATTR_NETWORK_LOCAL_ADDRESS,
  ATTR_NETWORK_LOCAL_PORT,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_NETWORK_TRANSPORT,
  ATTR_NETWORK_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEO_COUNTRY_ISO_CODE,
  ATTR_GEO_LOCALITY_NAME,
  ATTR_GEO_LOCATION_LAT,
  ATTR_GEO_LOCATION_LON,
  ATTR_PROCESS_COMMAND_LINE,
  ATTR_PROCESS_EXECUTABLE_NAME,
  ATTR_PROCESS_EXECUTABLE_PATH,
  ATTR_PROCESS_OWNER,
  ATTR_PROCESS_PID,
  ATTR_PROCESS_USER_ID,
} from '@opentelemetry/semantic-conventions/incubating';
import type { ConnectionEvent } from '../../../shared/contract.js';

/** Attributes the conventions do not name, under snitchmap's own namespace. */
export const SNITCHMAP_ATTRIBUTES = {
  id: 'snitchmap.connection.id',
  direction: 'snitchmap.connection.direction',
  scope: 'snitchmap.remote.scope',
  host: 'snitchmap.remote.host',
  asnNumber: 'snitchmap.remote.asn.number',
  asnOrg: 'snitchmap.remote.asn.org',
  app: 'snitchmap.process.app',
  txBytes: 'snitchmap.tx_bytes',
  rxBytes: 'snitchmap.rx_bytes',
  txPackets: 'snitchmap.tx_packets',
  rxPackets: 'snitchmap.rx_packets',
} as const;

export function connectionAttributes(event: ConnectionEvent): AnyValueMap {
  const { remote, local, process } = event;
  const attributes: AnyValueMap = {
    [ATTR_NETWORK_TRANSPORT]: event.proto,
    [ATTR_NETWORK_TYPE]: event.family === 4 ? 'ipv4' : 'ipv6',
    [ATTR_NETWORK_PEER_ADDRESS]: remote.ip,
    [ATTR_NETWORK_PEER_PORT]: remote.port,
    [ATTR_NETWORK_LOCAL_ADDRESS]: local.ip,
    [ATTR_NETWORK_LOCAL_PORT]: local.port,
    [SNITCHMAP_ATTRIBUTES.id]: event.id,
    [SNITCHMAP_ATTRIBUTES.direction]: event.direction,
    [SNITCHMAP_ATTRIBUTES.scope]: remote.scope,
    [SNITCHMAP_ATTRIBUTES.txBytes]: event.txBytes,
    [SNITCHMAP_ATTRIBUTES.rxBytes]: event.rxBytes,
    [SNITCHMAP_ATTRIBUTES.txPackets]: event.txPackets,
    [SNITCHMAP_ATTRIBUTES.rxPackets]: event.rxPackets,
  };
  // The remote end is the server of an outbound connection and the client of an inbound one.
  if (event.direction === 'outbound') {
    attributes[ATTR_SERVER_ADDRESS] = remote.host ?? remote.ip;
    attributes[ATTR_SERVER_PORT] = remote.port;
  } else {
    attributes[ATTR_CLIENT_ADDRESS] = remote.ip;
    attributes[ATTR_CLIENT_PORT] = remote.port;
  }
  if (remote.host !== null) attributes[SNITCHMAP_ATTRIBUTES.host] = remote.host;
  if (remote.geo !== null) {
    attributes[ATTR_GEO_COUNTRY_ISO_CODE] = remote.geo.country;
    attributes[ATTR_GEO_LOCATION_LAT] = remote.geo.lat;
    attributes[ATTR_GEO_LOCATION_LON] = remote.geo.lon;
    if (remote.geo.city !== null) attributes[ATTR_GEO_LOCALITY_NAME] = remote.geo.city;
  }
  if (remote.asn !== null) {
    attributes[SNITCHMAP_ATTRIBUTES.asnNumber] = remote.asn.number;
    attributes[SNITCHMAP_ATTRIBUTES.asnOrg] = remote.asn.org;
  }
  if (process !== null) {
    attributes[ATTR_PROCESS_PID] = process.pid;
    attributes[ATTR_PROCESS_EXECUTABLE_NAME] = process.name;
    attributes[ATTR_PROCESS_USER_ID] = process.uid;
    if (process.exe !== null) attributes[ATTR_PROCESS_EXECUTABLE_PATH] = process.exe;
    if (process.cmdline !== null) attributes[ATTR_PROCESS_COMMAND_LINE] = process.cmdline;
    if (process.user !== null) attributes[ATTR_PROCESS_OWNER] = process.user;
    // Read defensively: `app` may or may not be in the contract's ProcessInfo yet.
    const app = (process as { app?: { name?: unknown; id?: unknown } }).app;
    const appName = typeof app?.name === 'string' ? app.name : typeof app?.id === 'string' ? app.id : undefined;
    if (appName !== undefined) attributes[SNITCHMAP_ATTRIBUTES.app] = appName;
  }
  return attributes;
}
