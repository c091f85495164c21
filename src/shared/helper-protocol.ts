// The helper protocol: newline-delimited JSON between the root helper (src/helper) and the user's
// engine (src/core). Version 1. Messages on the helper's stdout; commands on its stdin from a fixed
// allow-list. No command carries a path or anything the helper would open or execute.

import type {
  CaptureHello,
  CaptureStats,
  DnsPayload,
  FlowEnd,
  FlowSample,
  OwnerRecord,
} from './capture.js';

export const HELPER_PROTOCOL_VERSION = 1;

/** Longest stdin line the helper reads; longer lines are discarded with an error message. */
export const MAX_COMMAND_LINE = 4096;

export type HelperMessage =
  | ({ t: 'hello'; protocol: typeof HELPER_PROTOCOL_VERSION; pid: number } & CaptureHello)
  | { t: 'flows'; ts: number; flows: FlowSample[] }
  | { t: 'flow-end'; ends: FlowEnd[] }
  | { t: 'owners'; owners: OwnerRecord[] }
  | { t: 'dns'; messages: DnsPayload[] }
  | ({ t: 'stats' } & CaptureStats)
  | { t: 'paused' }
  | { t: 'resumed' }
  | { t: 'pong'; id: number }
  | { t: 'error'; code: HelperErrorCode; message: string; fatal: boolean }
  | { t: 'bye'; reason: string };

export type HelperErrorCode =
  | 'bad-command'
  | 'line-too-long'
  | 'no-privilege'
  | 'no-btf'
  | 'attach-failed'
  | 'interface-gone'
  | 'internal';

export const HELPER_COMMANDS = ['pause', 'resume', 'shutdown', 'ping', 'stats'] as const;
export type HelperCommandName = (typeof HELPER_COMMANDS)[number];

export type HelperCommand =
  | { cmd: 'pause' }
  | { cmd: 'resume' }
  | { cmd: 'shutdown' }
  | { cmd: 'ping'; id: number }
  | { cmd: 'stats' };
