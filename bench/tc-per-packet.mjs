/* global console, process, Buffer -- plain Node script (eslint has no Node globals for .mjs) */
// Per-packet cost of the TC flow program with BPF_PROG_TEST_RUN (no interface involved): hit path
// (flow already in the table) and new-flow path (insert + ring-buffer flow-open), against an empty
// TC program. Runs alternate; medians over RUNS. Needs root and a built checkout (dist/, addon).
// Usage: node bench/tc-per-packet.mjs [runs]
import { loadAddon } from '../dist/native/addon.js';

const RUNS = Number(process.argv[2] ?? 7);
const REPEAT = 1_000_000;
const NEW_FLOWS = 20_000;
const addon = loadAddon();

function frameV4Tcp(sport, payload = 1460) {
  const frame = Buffer.alloc(14 + 20 + 20 + payload);
  frame.writeUInt16BE(0x0800, 12);
  frame[14] = 0x45;
  frame.writeUInt16BE(40 + payload, 16);
  frame[22] = 64;
  frame[23] = 6;
  Buffer.from([192, 0, 2, 1, 198, 51, 100, 7]).copy(frame, 26);
  frame.writeUInt16BE(sport, 34);
  frame.writeUInt16BE(443, 36);
  frame[46] = 0x50;
  frame[47] = 0x10;
  return frame;
}

function frameV6Udp(sport, payload = 1400) {
  const frame = Buffer.alloc(14 + 40 + 8 + payload);
  frame.writeUInt16BE(0x86dd, 12);
  frame[14] = 0x60;
  frame.writeUInt16BE(8 + payload, 18);
  frame[20] = 17;
  frame[21] = 64;
  frame[22] = 0x20;
  frame[23] = 0x01;
  frame[38] = 0x20;
  frame[39] = 0x01;
  frame[53] = 9;
  frame.writeUInt16BE(sport, 54);
  frame.writeUInt16BE(4500, 56);
  frame.writeUInt16BE(8 + payload, 58);
  return frame;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const empty = addon.openObject('tc_empty');
empty.load();
const flows = addon.openObject('flows');
flows.load();
// Drain the ring buffer as the capture does, so new-flow runs never hit a full ring.
const ring = addon.openRingBuffer(flows.mapFd('flow_events'), () => {});

const results = { emptyV4: [], hitV4: [], emptyV6: [], hitV6: [], emptyOnce: [], newFlow: [] };
const v4 = frameV4Tcp(40000);
const v6 = frameV6Udp(40000);
flows.testRun('sm_tc_egress', v4, 1);
flows.testRun('sm_tc_egress', v6, 1);
let port = 1;
for (let run = 0; run < RUNS; run++) {
  results.emptyV4.push(empty.testRun('sm_tc_empty', v4, REPEAT).durationNs);
  results.hitV4.push(flows.testRun('sm_tc_egress', v4, REPEAT).durationNs);
  results.emptyV6.push(empty.testRun('sm_tc_empty', v6, REPEAT).durationNs);
  results.hitV6.push(flows.testRun('sm_tc_egress', v6, REPEAT).durationNs);
  // repeat=1 per call: each run's duration includes the test-run setup, so subtract the same for empty.
  let emptyTotal = 0;
  let newTotal = 0;
  for (let i = 0; i < NEW_FLOWS; i++) {
    const frame = frameV4Tcp(port++ % 65536 || 1);
    frame.writeUInt16BE(1000 + run, 36);
    emptyTotal += empty.testRun('sm_tc_empty', frame, 1).durationNs;
    newTotal += flows.testRun('sm_tc_egress', frame, 1).durationNs;
    // The event loop drains the ring on wakeups; this synchronous loop must do it itself, or the
    // ring stays above the wakeup threshold and every insert pays a forced wakeup.
    if (i % 256 === 255) ring.consume();
  }
  results.emptyOnce.push(emptyTotal / NEW_FLOWS);
  results.newFlow.push(newTotal / NEW_FLOWS);
  ring.consume();
  const { keys } = flows.lookupBatch('flows');
  flows.deleteKeys('flows', keys);
  flows.testRun('sm_tc_egress', v4, 1);
  flows.testRun('sm_tc_egress', v6, 1);
}
const summary = Object.fromEntries(Object.entries(results).map(([name, values]) => [name, Math.round(median(values))]));
console.log(JSON.stringify({ runs: RUNS, repeat: REPEAT, newFlowsPerRun: NEW_FLOWS, medianNs: summary }, null, 1));
console.log(`hit v4 TCP 1514 B: ${summary.hitV4} ns vs empty ${summary.emptyV4} ns → +${summary.hitV4 - summary.emptyV4} ns`);
console.log(`hit v6 UDP 1462 B: ${summary.hitV6} ns vs empty ${summary.emptyV6} ns → +${summary.hitV6 - summary.emptyV6} ns`);
console.log(`new flow (repeat=1): ${summary.newFlow} ns vs empty ${summary.emptyOnce} ns → +${summary.newFlow - summary.emptyOnce} ns`);
ring.close();
flows.close();
empty.close();
