// The one wait helper (test/support/wait-for.ts): resolves on the condition or event, and a wait
// that never ends fails naming what it waited for.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { waitFor, waitForClose, waitForEvent, waitForExit } from '../../support/wait-for.js';

describe('waitFor', () => {
  it('resolves with the first truthy value, sync or async', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls >= 3 ? { calls } : null), { what: 'three calls', interval: 1 })).resolves.toEqual({ calls: 3 });
    await expect(waitFor(async () => 'ready', { what: 'ready' })).resolves.toBe('ready');
  });

  it('fails with what it waited for and the last error the predicate threw', async () => {
    await expect(waitFor(() => false, { what: 'the impossible', timeout: 30 })).rejects.toThrow(/timed out after 30 ms waiting for the impossible$/);
    await expect(waitFor(() => {
      throw new Error('not yet');
    }, { what: 'a thrower', timeout: 30 })).rejects.toThrow('waiting for a thrower: not yet');
  });
});

describe('waitForEvent / waitForExit', () => {
  it('resolves with the event arguments; rejects on error and on timeout', async () => {
    const emitter = new EventEmitter();
    const got = waitForEvent(emitter, 'line', { what: 'a line' });
    emitter.emit('line', 'hello', 1);
    await expect(got).resolves.toEqual(['hello', 1]);
    const failed = waitForEvent(emitter, 'line', { what: 'a line' });
    emitter.emit('error', new Error('broken pipe'));
    await expect(failed).rejects.toThrow('a line: broken pipe');
    await expect(waitForEvent(emitter, 'line', { what: 'a line', timeout: 20 })).rejects.toThrow(/waiting for a line/);
    expect(emitter.listenerCount('line') + emitter.listenerCount('error')).toBe(0);
  });

  it("a child's exit code, also when it already exited", async () => {
    const child = spawn(process.execPath, ['-e', 'process.exit(3)']);
    await expect(waitForExit(child, { what: 'the child' })).resolves.toBe(3);
    await expect(waitForExit(child, { what: 'the child' })).resolves.toBe(3);
  });

  it("waitForClose: a child's code once its output is read to the end, also when it already closed", async () => {
    // The shell exits at once; the backgrounded writer keeps its stdout open and writes later.
    // 'exit' comes before "late"; 'close' only after it.
    const child = spawn('sh', ['-c', '(sleep 0.2; echo late) & exit 4']);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await expect(waitForExit(child, { what: 'the shell' })).resolves.toBe(4);
    await expect(waitForClose(child, { what: 'the shell and its writer' })).resolves.toBe(4);
    expect(output).toBe('late\n');
    await expect(waitForClose(child, { what: 'the shell' })).resolves.toBe(4);
  });
});
