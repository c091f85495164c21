// A real Prometheus server (Debian's `prometheus` package) for tests: a temporary config and data
// dir, a free loopback port, a 1 s scrape interval. In CI a missing binary fails the test file
// (as kernel-gate.ts does for kernel tests); elsewhere it is skipped with the reason printed.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inCi } from './kernel-gate.js';
import { scaled } from './time-scale.js';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

export function prometheusGate(): { skip: boolean; reason: string } {
  if (existsSync(PROMETHEUS_BIN)) return { skip: false, reason: '' };
  const reason = `${PROMETHEUS_BIN} is missing (run scripts/setup.sh: Debian package 'prometheus')`;
  if (inCi) throw new Error(`Prometheus test cannot run in CI: ${reason}`);
  console.warn(`skipping Prometheus tests: ${reason}`);
  return { skip: true, reason };
}

export interface ScrapeTarget {
  /** host:port of a /metrics endpoint. */
  address: string;
  /** The `instance` label Prometheus gives its series (default: the address). */
  instance?: string;
}

export interface RunningPrometheus {
  url: string;
  /** Instant query; the `result` array of the answer. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Polls `query` until `accept` returns something (Prometheus has no push; scrapes are 1 s apart). */
  waitFor<T>(what: string, promql: string, accept: (result: { metric: Record<string, string>; value: [number, string] }[]) => T | undefined): Promise<T>;
  log(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function config(targets: ScrapeTarget[]): string {
  const statics = targets
    .map((t) => `      - targets: ['${t.address}']\n${t.instance ? `        labels: { instance: '${t.instance}' }\n` : ''}`)
    .join('');
  return `global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n  - job_name: snitchmap\n    static_configs:\n${statics}`;
}

export async function startPrometheus(targets: ScrapeTarget[]): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'sm-prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), config(targets));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer): void => void (log = (log + chunk.toString('utf8')).slice(-8000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const query: RunningPrometheus['query'] = async (promql) => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`, { signal: AbortSignal.timeout(5000) });
    const body = (await response.json()) as { status: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] }; error?: string };
    if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error ?? response.status}`);
    return body.data?.result ?? [];
  };
  const poll = async <T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = scaled(30_000)): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}) before ${what}: ${log}`);
      try {
        const found = await attempt();
        if (found !== undefined) return found;
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${last}; prometheus log: ${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  await poll('prometheus ready', async () => ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) })).ok ? true : undefined));
  return {
    url,
    query,
    waitFor: (what, promql, accept) => poll(what, async () => accept(await query(promql))),
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) {
        const closed = new Promise((r) => child.once('close', r));
        child.kill('SIGTERM');
        await closed;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
