// `--metrics ADDR:PORT` (or just PORT): where the Prometheus endpoint listens. Loopback unless an
// address is given: the series name every process that talks to the network.

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses `PORT`, `HOST:PORT` or `[IPv6]:PORT`; throws an Error naming the problem. */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):)?(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (match === null || !(port >= 0 && port <= 65535)) {
    throw new Error(`wants PORT, ADDR:PORT or [IPv6]:PORT with PORT 0-65535, got '${text}'`);
  }
  return { host: match[1] ?? match[2] ?? '127.0.0.1', port };
}

/** True for addresses only this machine can reach (the DNS-rebinding check applies to them). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
