// The flow-table read under attack: an unprivileged process (nobody) makes new UDP flows through a
// veth as fast as it can while the table is read again and again. The table fills and the LRU
// evicts during each read, so a read can see more rows than the table holds and reach a bucket
// larger than the space left: the kernel answers ENOSPC. Reading on from the same cursor got the
// same answer thousands of times (issue 12: 4,313 identical replies, 4.4 s for one read). Each read
// must end after a bounded number of bpf_map_lookup_batch calls: every call but the last returns
// at least one row, so calls <= rows + 1. No timings: the count of syscalls is the measure.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonPath } from '../../native/addon.js';
import { FlowCapture, type FlowReadCost } from '../../native/flows.js';
import { kernelGate } from '../support/kernel-gate.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { waitFor } from '../support/wait-for.js';

const CHURN = fileURLToPath(new URL('./fixtures/flows-udp-churn.mjs', import.meta.url));
const gate = kernelGate([addonPath()]);
// Small enough that a read's JS (decoding every row) stays cheap on a busy machine; the kernel's
// batch walk and its ENOSPC are the same for any size.
const TABLE = 4096;
const READS = 40;

describe.skipIf(gate.skip)('flows: reading the table while an unprivileged user churns UDP flows', () => {
  let net: TestNet;
  let capture: FlowCapture;
  let churn: ChildProcess;
  let churnOutput = '';

  beforeAll(async () => {
    net = createTestNet('fc');
    capture = FlowCapture.open({ interfaces: [net.hostIf], flowTableSize: TABLE });
    churn = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, CHURN, net.nsIp4],
      { stdio: ['pipe', 'pipe', 'pipe'] });
    churn.stdout?.on('data', (chunk: Buffer) => (churnOutput += chunk.toString()));
    churn.stderr?.on('data', (chunk: Buffer) => (churnOutput += chunk.toString()));
    await waitFor(() => churnOutput.includes('ready') || churn.exitCode !== null, { timeout: 30_000, what: 'the churn process to start' });
    if (!churnOutput.includes('ready')) throw new Error(`churn process failed: ${churnOutput}`);
    // Full table: from here on every new flow evicts one.
    await waitFor(() => capture.stats().counters.flowsCreated > TABLE, { timeout: 60_000, what: `more than ${TABLE} flows created` });
  });

  afterAll(async () => {
    if (churn !== undefined && churn.exitCode === null) {
      const exited = new Promise((resolve) => churn.once('exit', resolve));
      churn.stdin?.end();
      await exited;
    }
    capture?.close();
    net?.destroy();
  });

  it(`${READS} reads of a full ${TABLE}-entry table each end after at most rows + 1 batch calls`, () => {
    const costs: FlowReadCost[] = [];
    for (let i = 0; i < READS; i++) {
      const rows = capture.readFlows();
      const cost = capture.stats().lastRead;
      if (cost === null) throw new Error('readFlows recorded no read');
      expect(cost.rows).toBe(rows.length);
      costs.push(cost);
    }
    expect(churn.exitCode).toBeNull(); // the churn ran for every read
    const over = costs.filter((cost) => cost.batchCalls > cost.rows + 1);
    expect(over, `reads that asked the kernel again and again: ${JSON.stringify(over.slice(0, 5))}`).toEqual([]);
    // Every read returned rows from the full table (an early stop still hands over what it read).
    expect(Math.min(...costs.map((cost) => cost.rows))).toBeGreaterThan(0);
    // How often the attack reached ENOSPC depends on the machine (see the report in the header);
    // each time it did, the read above stopped and still handed over its rows.
    const stops = costs.filter((cost) => !cost.complete);
    expect(capture.stats().incompleteReads).toBe(stops.length);
    console.info(`flows-read-churn: ${READS} reads, ${stops.length} stopped by ENOSPC, rows ${Math.min(...costs.map((c) => c.rows))}..${Math.max(...costs.map((c) => c.rows))}, batch calls max ${Math.max(...costs.map((c) => c.batchCalls))}`);
  });
});
