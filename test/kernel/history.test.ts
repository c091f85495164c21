// End to end as root: `snitchmap watch --history FILE` (real helper, addon, engine) records real
// connections made to a server in a test namespace; `snitchmap history --json` lists them with
// their process and bytes. kill -9 in the middle of a connection storm leaves a file that passes
// integrity_check and holds every connection opened more than 1 s before the kill. A corrupt
// file is moved aside (bytes intact) and named on stderr; a second writer is told the file is in
// use; connections past the retention age are pruned when the history opens.

import Database from 'better-sqlite3';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHistory } from '../../src/core/history/history.js';
import { DAY_MS } from '../../src/core/history/retention.js';
import { decodeEvent } from '../../src/core/history/stored-event.js';
import { kernelGate } from '../support/kernel-gate.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { connection, FakeEngine } from '../unit/core/history/fake-engine.js';
import { json, watchLines, type LineWatcher } from './fixtures/watch-lines.js';

const repo = resolve(import.meta.dirname, '../..');
const cli = join(repo, 'bin/snitchmap');
const fixture = (name: string) => join(repo, 'test/kernel/fixtures', name);
const gate = kernelGate([join(repo, 'dist/src/cli/main.js'), join(repo, 'dist/src/helper/main.js'), join(repo, 'dist/native/index.js'), join(repo, 'dist/src/core/history/history.js')]);

const PORT = 8471;
const SENT = 20_000;
const REPLY = 50_000;

interface Finished {
  pid: number;
  localPort: number;
  received: number;
}

interface Listed {
  id: string;
  event: string;
  remote: { ip: string; port: number };
  local: { port: number };
  process: { pid: number; name: string } | null;
  txBytes: number;
  rxBytes: number;
  firstSeen: number;
  lastSeen: number;
  windowTxBytes: number;
  windowRxBytes: number;
}

type Message = { type?: string; event?: string; id?: string; ts?: number; remote?: { ip: string; port: number }; local?: { port: number } };

/** chown -R dir to nobody: the user a root-run CLI without SUDO_UID drops to (src/cli/privileges.ts). */
function handToNobody(dir: string): void {
  const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }));
  chownSync(dir, uid, gid);
  for (const name of readdirSync(dir, { recursive: true }) as string[]) chownSync(join(dir, name), uid, gid);
}

describe.skipIf(gate.skip)('history end to end (watch --history, history --json, kill -9, corrupt, locked, retention)', () => {
  let net: TestNet;
  let server: ChildProcess;
  let dir: string;
  const children: ChildProcess[] = [];

  const startWatch = (file: string): { watch: ChildProcess; out: LineWatcher } => {
    // watch started as root drops to nobody (no SUDO_UID here) before it opens the history: the
    // directory and whatever this test (as root) put in it must be that user's.
    handToNobody(dir);
    const watch = spawn(cli, ['watch', '--json', '--history', file], { env: { ...process.env, XDG_CONFIG_HOME: dir } });
    children.push(watch);
    return { watch, out: watchLines(watch) };
  };
  const helloOf = (out: LineWatcher) => out.waitFor('hello', (line) => (json(line)?.type === 'hello' ? true : undefined));
  const stopped = (child: ChildProcess, signal: NodeJS.Signals) =>
    new Promise<number | null>((r) => {
      if (child.exitCode !== null || child.signalCode !== null) return r(child.exitCode);
      child.once('close', (code) => r(code));
      child.kill(signal);
    });
  const history = (args: string[]) => spawnSync(cli, ['history', ...args], { encoding: 'utf8', timeout: 30_000 });
  const listed = (file: string, extra: string[] = []): Listed[] => {
    const run = history(['--history', file, '--json', '--since', '1h', ...extra]);
    expect(run.status, run.stderr).toBe(0);
    return run.stdout.trim() === '' ? [] : run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Listed);
  };

  beforeAll(async () => {
    net = createTestNet('hist');
    dir = mkdtempSync(join(tmpdir(), 'sm-history-e2e-'));
    server = net.spawn(process.execPath, [fixture('history-sink.mjs'), net.nsIp4, String(PORT), String(REPLY)]);
    await watchLines(server).waitFor('sink ready', (line) => (line === 'ready' ? true : undefined));
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) await stopped(child, 'SIGKILL');
    server?.kill('SIGTERM');
    net?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('records known connections; history --json lists them with their owner and bytes', async () => {
    const file = join(dir, 'known.sqlite');
    const { watch, out } = startWatch(file);
    await helloOf(out);
    const client = spawn(process.execPath, [fixture('history-client.mjs'), net.nsIp4, String(PORT), '3', '1', String(SENT)]);
    const clientOut = watchLines(client);
    await clientOut.waitFor('client done', (line) => (line === 'done' ? true : undefined));
    const made = clientOut.lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Finished);
    expect(made.map((m) => m.received)).toEqual([REPLY, REPLY, REPLY]);
    for (const m of made) {
      await out.waitFor(`close of port ${m.localPort}`, (line) => {
        const message = json(line) as Message | undefined;
        return message?.event === 'close' && message.local?.port === m.localPort && message.remote?.ip === net.nsIp4 ? true : undefined;
      });
    }
    expect(await stopped(watch, 'SIGINT')).toBe(0);

    const rows = listed(file).filter((row) => row.remote.ip === net.nsIp4 && row.remote.port === PORT);
    expect(rows.map((row) => row.local.port).sort()).toEqual(made.map((m) => m.localPort).sort());
    for (const row of rows) {
      expect(row.process).toMatchObject({ pid: client.pid, name: 'node' });
      expect(row.event).toBe('close');
      // IP-layer bytes: the payload plus headers.
      expect(row.txBytes).toBeGreaterThanOrEqual(SENT);
      expect(row.rxBytes).toBeGreaterThanOrEqual(REPLY);
      expect(row.windowTxBytes).toBe(row.txBytes);
      expect(row.windowRxBytes).toBe(row.rxBytes);
      expect(row.lastSeen).toBeGreaterThanOrEqual(row.firstSeen);
    }
    // Filters and the table.
    expect(listed(file, ['--process', 'node']).filter((row) => row.remote.ip === net.nsIp4)).toHaveLength(3);
    expect(listed(file, ['--process', 'no-such-comm'])).toEqual([]);
    const table = history(['--history', file, '--since', '1h']);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`node\\[${client.pid}\\] -> ${net.nsIp4.replace(/\./g, '\\.')}:${PORT}`));
    expect(table.stdout).toMatch(/^process\s+connections\s+up\s+down$/m);
    expect(table.stdout).toMatch(/^country\s+connections\s+up\s+down$/m);
  });

  it('kill -9 in a connection storm: integrity ok, every connection opened over 1 s before the kill is there', async () => {
    const file = join(dir, 'storm.sqlite');
    const { watch, out } = startWatch(file);
    await helloOf(out);
    const storm = spawn(process.execPath, [fixture('history-client.mjs'), net.nsIp4, String(PORT), '0', '16', '200']);
    children.push(storm);
    const opens = new Map<string, number>();
    const seen = (): number => {
      for (const line of out.lines) {
        const message = json(line) as Message | undefined;
        if (message?.event === 'open' && message.remote?.ip === net.nsIp4 && message.id !== undefined && message.ts !== undefined) opens.set(message.id, message.ts);
      }
      return opens.size;
    };
    // Storm until well past a few flushes: at least 100 opens older than 2 s.
    const stormOut = watchLines(storm);
    const older = (): number => [...opens.values()].filter((ts) => ts < Date.now() - 2000).length;
    await out.waitFor('100 storm opens older than 2 s', () => (seen() >= 0 && older() >= 100 ? true : undefined), 60_000).catch((error: Error) => {
      throw new Error(`${error.message}; storm client: ${stormOut.lines.length} connections, stderr ${stormOut.stderr().slice(-500)}`);
    });
    const killedAt = Date.now();
    watch.kill('SIGKILL');
    await stopped(watch, 'SIGKILL');
    await stopped(storm, 'SIGKILL');
    seen();

    const db = new Database(file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const stored = new Set((db.prepare('SELECT event FROM connections').pluck().all() as string[]).map((text) => decodeEvent(text).id));
    db.close();
    const due = [...opens].filter(([, ts]) => ts < killedAt - 1000).map(([id]) => id);
    expect(due.length).toBeGreaterThan(100);
    expect(due.filter((id) => !stored.has(id))).toEqual([]);
  });

  it('moves a corrupt file aside with its bytes intact, names it on stderr, and starts a new history', async () => {
    const file = join(dir, 'corrupt.sqlite');
    const junk = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(8192, 0xee)]);
    writeFileSync(file, junk);
    const { watch, out } = startWatch(file);
    await helloOf(out);
    const aside = /kept as (\S+) and a new history started/.exec(out.stderr())?.[1];
    expect(aside, out.stderr()).toBeDefined();
    expect(readFileSync(aside ?? '').equals(junk)).toBe(true);
    expect(await stopped(watch, 'SIGINT')).toBe(0);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('tells a second writer the file is in use, and keeps running without history', async () => {
    const file = join(dir, 'shared.sqlite');
    const first = startWatch(file);
    await helloOf(first.out);
    const second = startWatch(file);
    await helloOf(second.out);
    expect(second.out.stderr()).toMatch(new RegExp(`history file ${file.replace(/[.]/g, '\\.')} is in use by another snitchmap`));
    expect(await stopped(second.watch, 'SIGINT')).toBe(0);
    expect(await stopped(first.watch, 'SIGINT')).toBe(0);
  });

  it('prunes connections older than the retention age when the history opens', async () => {
    const file = join(dir, 'old.sqlite');
    const now = Date.now();
    const seed = openHistory({ file, now: () => now - 40 * DAY_MS });
    const engine = new FakeEngine();
    seed.attach(engine);
    engine.send(connection({ id: 'ancient', ts: now - 40 * DAY_MS }));
    engine.send(connection({ id: 'ancient', ts: now - 40 * DAY_MS + 1000, event: 'close', txBytes: 10 }));
    seed.close();
    expect(listed(file, ['--since', '60d']).map((row) => row.id)).toEqual(['ancient']);
    const { watch, out } = startWatch(file);
    await helloOf(out);
    expect(await stopped(watch, 'SIGINT')).toBe(0);
    // (The host's own traffic during the run is recorded too: only the old one must be gone.)
    expect(listed(file, ['--since', '60d']).map((row) => row.id)).not.toContain('ancient');
  });
});
