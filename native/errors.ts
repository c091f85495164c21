// The one error class the addon throws (registered with the addon at load). Messages say what to do:
// EPERM names the missing capabilities, ENOBTF says the kernel lacks BTF, ENODEV that the interface
// is gone. `log` carries the tail of libbpf's log (the verifier's complaint) when there is one.

import { readFileSync } from 'node:fs';

export type NativeErrorCode =
  | 'EPERM'
  | 'EACCES'
  | 'ENOENT'
  | 'EINVAL'
  | 'ENODEV'
  | 'ENXIO'
  | 'EEXIST'
  | 'EBUSY'
  | 'ENOMEM'
  | 'EOPNOTSUPP'
  | 'EBADF'
  | 'EVARIANT'
  | 'ENOBTF'
  | 'ENOADDON'
  | (string & {});

export interface NativeErrorDetails {
  code: NativeErrorCode;
  errno?: number;
  log?: string;
}

const CAPABILITIES: Array<[bit: number, name: string]> = [
  [39, 'CAP_BPF'],
  [38, 'CAP_PERFMON'],
  [12, 'CAP_NET_ADMIN'],
  [21, 'CAP_SYS_ADMIN'],
];

/** Capabilities snitchmap's helper needs that this process lacks (from /proc/self/status CapEff). */
export function missingCapabilities(status: string = safeRead('/proc/self/status')): string[] {
  const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  if (!match?.[1]) return CAPABILITIES.map(([, name]) => name);
  const effective = BigInt(`0x${match[1]}`);
  return CAPABILITIES.filter(([bit]) => (effective & (1n << BigInt(bit))) === 0n).map(([, name]) => name);
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function explain(message: string, code: NativeErrorCode): string {
  if (code === 'EPERM' || code === 'EACCES') {
    const missing = missingCapabilities();
    return missing.length > 0
      ? `${message} — missing capabilities: ${missing.join(', ')} (run the helper as root)`
      : `${message} — refused by the kernel despite CAP_BPF/CAP_NET_ADMIN/CAP_SYS_ADMIN (lockdown or policy)`;
  }
  if (code === 'ENODEV' || code === 'ENXIO') return `${message} — the interface is gone`;
  if (code === 'ENOBTF') return `${message} — the kernel has no BTF (/sys/kernel/btf/vmlinux); CO-RE programs cannot load`;
  return message;
}

export class NativeError extends Error {
  readonly code: NativeErrorCode;
  readonly errno: number;
  readonly log: string;

  constructor(message: string, details: NativeErrorDetails) {
    super(explain(message, details.code));
    this.name = 'NativeError';
    this.code = details.code;
    this.errno = details.errno ?? 0;
    this.log = details.log ?? '';
  }
}

export function isNativeError(error: unknown, code?: NativeErrorCode): error is NativeError {
  return error instanceof NativeError && (code === undefined || error.code === code);
}

/**
 * Why the verifier refused a program, in its own last words: the last two lines of the log that are
 * not its closing summary ("processed N insns", libbpf's own lines), after the error code.
 */
export function verifierReason(error: NativeError): string {
  const lines = error.log.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
  const cause = lines.filter((line) => !/^(processed \d+ insns|-- END PROG LOAD LOG --|libbpf:|verification time)/.test(line)).slice(-2);
  return `${error.code}: ${cause.length > 0 ? cause.join(' / ') : error.message}`;
}

/** Any thrown value as a NativeError (foreign errors keep their message, code EINVAL). */
export function toNativeError(error: unknown): NativeError {
  if (error instanceof NativeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new NativeError(message, { code: 'EINVAL' });
}
