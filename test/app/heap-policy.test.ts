// src/core/heap-policy.ts, run as the engine's processes run it: a fresh node process that applies
// the policy, then makes a burst of long-lived objects (as 50,000 connection opens do). Its young
// generation must stay at its starting size; without the policy the same burst grows it (the control
// shows the measurement can fail).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gate } from '../support/gate.js';

const policy = resolve('dist/src/core/heap-policy.js');
const built = gate('heap policy', existsSync(policy) ? null : 'run `npm run build` first');

function newSpaceMiBAfterBurst(applyPolicy: boolean): number {
  const script = `
    import v8 from 'node:v8';
    if (${applyPolicy}) (await import(${JSON.stringify(pathToFileURL(policy).href)})).keepYoungGenerationSmall();
    const kept = [];
    for (let i = 0; i < 300000; i++) kept.push({ i, text: 'connection ' + i, counters: [i, i] });
    const space = v8.getHeapSpaceStatistics().find((entry) => entry.space_name === 'new_space');
    console.log(JSON.stringify({ mib: space.space_size / 1048576, kept: kept.length }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout) as { mib: number; kept: number };
  expect(result.kept).toBe(300_000);
  return result.mib;
}

describe.skipIf(built.skip)('the engine process heap policy', () => {
  it('keeps the young generation at its starting size through a burst of long-lived objects', () => {
    expect(newSpaceMiBAfterBurst(true)).toBeLessThanOrEqual(4);
    expect(newSpaceMiBAfterBurst(false)).toBeGreaterThanOrEqual(16);
  });
});
