// Command-line parsing for `snitchmap watch|serve|history`. Strict: unknown options, missing values and
// out-of-range numbers are usage errors (exit 2), never silently ignored.

import { parseListenAddress, type ListenAddress } from '../shared/listen-address.js';

export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: Command | null,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CommonOptions {
  locations?: string;
  geoip?: string;
  home?: { lat: number; lon: number };
  /** Not root: try the eBPF helper through `sudo -n`, else fall back to /proc. */
  sudo: boolean;
  /** --metrics: serve Prometheus /metrics there. */
  metrics?: ListenAddress;
  /** --metrics-max-processes: distinct `process` label values (default 100). */
  metricsMaxProcesses?: number;
  /** --otlp: OTLP/HTTP logs endpoint URL (connection opens and closes as log records). */
  otlp?: string;
  /** --history FILE; null with --no-history; absent: the default file. */
  history?: string | null;
}

export interface WatchOptions extends CommonOptions {
  json: boolean;
  /** Seconds. */
  duration?: number;
  /** Connection events to print before exiting. */
  count?: number;
}

export interface ServeOptions extends CommonOptions {
  /** 0: any free port. */
  port: number;
  /** --fleet: a Prometheus base URL; the map shows every host it scrapes instead of this machine. */
  fleet?: string;
  /** --fleet-homes: JSON array of {instance, label, lat, lon}, where fleet hosts are (only with --fleet). */
  fleetHomes?: string;
}

export interface HistoryOptions {
  history?: string;
  /** Milliseconds since the epoch. */
  since: number;
  until: number;
  process?: string;
  country?: string;
  json: boolean;
}

export type Invocation =
  | { kind: 'watch'; options: WatchOptions }
  | { kind: 'serve'; options: ServeOptions }
  | { kind: 'history'; options: HistoryOptions }
  | { kind: 'default' }
  | { kind: 'help'; topic: 'main' | Command }
  | { kind: 'version' };

type Command = 'watch' | 'serve' | 'history';
const COMMANDS: readonly string[] = ['watch', 'serve', 'history'];

const VALUE_OPTIONS: Record<Command, string[]> = {
  watch: ['duration', 'count', 'locations', 'geoip', 'home', 'metrics', 'metrics-max-processes', 'otlp', 'history'],
  serve: ['port', 'locations', 'geoip', 'home', 'metrics', 'metrics-max-processes', 'otlp', 'fleet', 'fleet-homes', 'history'],
  history: ['history', 'since', 'until', 'process', 'country'],
};
const FLAG_OPTIONS: Record<Command, string[]> = {
  watch: ['json', 'sudo', 'help', 'no-history'],
  serve: ['sudo', 'help', 'no-history'],
  history: ['json', 'help'],
};

export function parseHome(text: string, command: Command | null = null): { lat: number; lon: number } {
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  const lat = Number(match?.[1]);
  const lon = Number(match?.[2]);
  if (match === null || !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180)) {
    throw new UsageError(`--home wants LAT,LON with -90 <= LAT <= 90 and -180 <= LON <= 180, got '${text}'`, command);
  }
  return { lat, lon };
}

function positive(name: string, text: string, command: Command, integer: boolean): number {
  const value = Number(text);
  const ok = text.trim() !== '' && Number.isFinite(value) && value > 0 && (!integer || Number.isSafeInteger(value));
  if (!ok) throw new UsageError(`--${name} wants a positive ${integer ? 'integer' : 'number'}, got '${text}'`, command);
  return value;
}

function splitOptions(command: Command, args: string[]): { flags: Set<string>; values: Map<string, string> } {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-h') {
      flags.add('help');
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`, command);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (FLAG_OPTIONS[command].includes(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`, command);
      flags.add(name);
    } else if (VALUE_OPTIONS[command].includes(name)) {
      const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
      if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`, command);
      values.set(name, value);
    } else {
      throw new UsageError(`unknown option '${arg.slice(0, eq === -1 ? undefined : eq)}' for ${command}`, command);
    }
  }
  return { flags, values };
}

/** An http(s) URL, or a usage error naming the option. */
export function parseHttpUrl(name: string, text: string, command: Command): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--${name} wants an http:// or https:// URL, got '${text}'`, command);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--${name} wants an http:// or https:// URL, got '${text}'`, command);
  return url.href;
}

function metricsOptions(command: Command, values: Map<string, string>): Pick<CommonOptions, 'metrics' | 'metricsMaxProcesses' | 'otlp'> {
  const address = values.get('metrics');
  const max = values.get('metrics-max-processes');
  const otlp = values.get('otlp');
  let metrics: ListenAddress | undefined;
  if (address !== undefined) {
    try {
      metrics = parseListenAddress(address);
    } catch (error) {
      throw new UsageError(`--metrics ${(error as Error).message}`, command);
    }
  }
  if (max !== undefined && address === undefined) throw new UsageError('--metrics-max-processes needs --metrics', command);
  return {
    ...(metrics ? { metrics } : {}),
    ...(max !== undefined ? { metricsMaxProcesses: positive('metrics-max-processes', max, command, true) } : {}),
    ...(otlp !== undefined ? { otlp: parseHttpUrl('otlp', otlp, command) } : {}),
  };
}

function historyFile(command: Command, flags: Set<string>, values: Map<string, string>): Pick<CommonOptions, 'history'> {
  const file = values.get('history');
  if (flags.has('no-history') && file !== undefined) throw new UsageError('--history and --no-history exclude each other', command);
  if (file !== undefined && file.trim() === '') throw new UsageError('--history wants a file name', command);
  return flags.has('no-history') ? { history: null } : file !== undefined ? { history: file } : {};
}

function common(command: Command, flags: Set<string>, values: Map<string, string>): CommonOptions {
  const home = values.get('home');
  return {
    ...metricsOptions(command, values),
    sudo: flags.has('sudo'),
    ...historyFile(command, flags, values),
    ...(values.has('locations') ? { locations: values.get('locations') } : {}),
    ...(values.has('geoip') ? { geoip: values.get('geoip') } : {}),
    ...(home !== undefined ? { home: parseHome(home, command) } : {}),
  };
}

export function parseArgs(argv: string[], now: number = Date.now()): Invocation {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'default' };
  if (first === '--help' || first === '-h' || first === 'help') return { kind: 'help', topic: 'main' };
  if (first === '--version' || first === '-V') return { kind: 'version' };
  if (!COMMANDS.includes(first)) throw new UsageError(`unknown command '${first}'`, null);
  const command = first as Command;
  const { flags, values } = splitOptions(command, rest);
  if (flags.has('help')) return { kind: 'help', topic: command };
  if (command === 'history') return { kind: 'history', options: historyOptions(flags, values, now) };
  return engineInvocation(command, flags, values);
}

function historyOptions(flags: Set<string>, values: Map<string, string>, now: number): HistoryOptions {
  const since = parseTimeArg('since', values.get('since') ?? '24h', now);
  const until = values.has('until') ? parseTimeArg('until', values.get('until') ?? '', now) : now;
  if (since > until) throw new UsageError('--since must be before --until', 'history');
  const country = values.get('country');
  if (country !== undefined && !/^[A-Za-z]{2}$/.test(country)) throw new UsageError(`--country wants a two-letter ISO 3166 code, got '${country}'`, 'history');
  const process = values.get('process');
  return {
    since,
    until,
    json: flags.has('json'),
    ...(values.has('history') ? { history: values.get('history') } : {}),
    ...(process !== undefined ? { process } : {}),
    ...(country !== undefined ? { country: country.toUpperCase() } : {}),
  };
}

/** DURATION (`90s`, `15m`, `2h`, `7d`, `1w`: that long before now) or an ISO 8601 date/time. */
export function parseTimeArg(name: string, text: string, now: number): number {
  const duration = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$/.exec(text);
  if (duration) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[duration[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return now - Number(duration[1]) * unit;
  }
  const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (!Number.isFinite(iso)) throw new UsageError(`--${name} wants a duration (90s, 15m, 2h, 7d, 1w) or an ISO 8601 time, got '${text}'`, 'history');
  return iso;
}

function engineInvocation(first: 'watch' | 'serve', flags: Set<string>, values: Map<string, string>): Invocation {
  const base = common(first, flags, values);
  if (first === 'serve') {
    const portText = values.get('port');
    const port = portText === undefined ? 0 : Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535 || portText?.trim() === '') {
      throw new UsageError(`--port wants 0-65535, got '${portText}'`, 'serve');
    }
    const fleet = values.get('fleet');
    // A fleet server starts no capture: there is nothing of its own to export.
    if (fleet !== undefined && (base.metrics !== undefined || base.otlp !== undefined || base.sudo)) {
      throw new UsageError('--fleet starts no capture: --metrics, --otlp and --sudo do not apply', 'serve');
    }
    const fleetHomes = values.get('fleet-homes');
    if (fleetHomes !== undefined && fleet === undefined) throw new UsageError('--fleet-homes needs --fleet', 'serve');
    return {
      kind: 'serve',
      options: { ...base, port, ...(fleet !== undefined ? { fleet: parseHttpUrl('fleet', fleet, 'serve') } : {}), ...(fleetHomes !== undefined ? { fleetHomes } : {}) },
    };
  }
  const duration = values.get('duration');
  const count = values.get('count');
  return {
    kind: 'watch',
    options: {
      ...base,
      json: flags.has('json'),
      ...(duration !== undefined ? { duration: positive('duration', duration, 'watch', false) } : {}),
      ...(count !== undefined ? { count: positive('count', count, 'watch', true) } : {}),
    },
  };
}
