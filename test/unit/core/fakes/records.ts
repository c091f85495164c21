// Builders for capture records, so tests state only what matters to them.
import type { FlowEnd, FlowSample, OwnerRecord } from '../../../../src/shared/capture.js';

export const TCP = 6;
export const UDP = 17;

export function flow(overrides: Partial<FlowSample> = {}): FlowSample {
  return {
    ifindex: 2,
    family: 4,
    proto: TCP,
    localIp: '10.0.0.2',
    localPort: 40000,
    remoteIp: '93.184.216.34',
    remotePort: 443,
    txBytes: 60,
    rxBytes: 0,
    txPackets: 1,
    rxPackets: 0,
    firstSeen: 1_000,
    tcpFlags: 0x02,
    initiator: 'local',
    ...overrides,
  };
}

export function flowEnd(sample: FlowSample, reason: FlowEnd['reason'] = 'fin', ts = 0): FlowEnd {
  const { ifindex, family, proto, localIp, localPort, remoteIp, remotePort } = sample;
  return { ifindex, family, proto, localIp, localPort, remoteIp, remotePort, ts, reason };
}

export function owner(overrides: Partial<OwnerRecord> = {}): OwnerRecord {
  return {
    ts: 0,
    how: 'connect',
    cookie: null,
    family: 4,
    proto: TCP,
    localIp: '10.0.0.2',
    localPort: 40000,
    remoteIp: '93.184.216.34',
    remotePort: 443,
    pid: 4321,
    comm: 'curl',
    uid: 1000,
    startTime: 12345,
    exe: '/usr/bin/curl',
    cmdline: 'curl https://example.com',
    ...overrides,
  };
}
