// `watch` and `serve` given a --locations or --geoip file they cannot use: they must exit non-zero
// at once (a FIFO used to hang, /dev/zero to eat memory, a broken file to exit 0), name the file,
// never quote it, and never start the capture.

import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runServe } from '../../../src/cli/serve.js';
import { runWatch } from '../../../src/cli/watch.js';
import { createEngine } from '../../../src/core/engine.js';
import { createPublisher } from '../../../src/core/publisher.js';
import { DyingSource, fakeElevation } from './fake-engine.js';
import { capturedStream } from './captured-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'sm-input-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fifo = join(dir, 'input.fifo');
execFileSync('mkfifo', [fifo]);
const secret = join(dir, 'shadow-like');
writeFileSync(secret, 'root:$6$SECRETHASH:19000:0:99999:7:::\n');

function streams() {
  const err = capturedStream();
  return { stdout: new PassThrough(), stderr: err.stream, err: err.text };
}

const signals = new EventEmitter() as unknown as { on: () => void; off: () => void };

const cases = [
  { option: { locations: fifo }, message: `locations file ${fifo} is not a regular file` },
  { option: { locations: secret }, message: `${secret}: not valid JSON` },
  { option: { locations: join(dir, 'missing.json') }, message: 'ENOENT' },
  { option: { geoip: '/dev/zero' }, message: 'GeoIP database /dev/zero is not a regular file' },
  { option: { geoip: secret }, message: `${secret} is not a valid MaxMind DB (.mmdb) file` },
];

describe('unusable input files given on the command line', () => {
  it('make watch exit 1 without starting the capture or quoting the file', async () => {
    for (const { option, message } of cases) {
      const io = streams();
      const source = new DyingSource();
      const code = await runWatch({ json: true, sudo: false, ...option }, { createEngine, createSource: () => source, ...io, signals });
      expect(code, message).toBe(1);
      expect(io.err(), message).toContain(message);
      expect(io.err(), message).not.toContain('SECRET');
      expect(source.starts, message).toBe(0);
    }
  });

  it('make serve exit 1 without starting the capture or a server', async () => {
    for (const { option, message } of cases) {
      const io = streams();
      const source = new DyingSource();
      const code = await runServe(
        { port: 0, sudo: false, ...option },
        { createEngine, createPublisher, elevation: fakeElevation(source), ...io, signals, configDir: dir, rendererRoot: dir },
      );
      expect(code, message).toBe(1);
      expect(io.err(), message).toContain(message);
      expect(io.err(), message).not.toContain('SECRET');
      expect(source.starts, message).toBe(0);
    }
  });
});
