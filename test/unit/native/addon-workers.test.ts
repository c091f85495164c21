// The addon keeps its state per Node environment (napi instance data: constructors, error class,
// registries), so it can be loaded by worker_threads next to the main thread. Two workers load it at
// once, each registers its own error class, opens objects (unprivileged: bpf_object__open parses only)
// and leaves one open for its environment's teardown to free; afterwards the main thread's handles
// must still work — with the constructors in statics, a worker's load replaced the main thread's
// and its exit left them dangling.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { addonPath, loadAddon } from '../../../native/addon.js';
import { NativeError } from '../../../native/errors.js';
import { gate } from '../../support/gate.js';

const suite = gate('addon in worker threads', existsSync(addonPath()) ? null : 'native addon not built (npm run build)');

// Plain JavaScript: a worker cannot run the TypeScript loader vitest uses.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const addon = require(workerData.path);
class WorkerError extends Error {
  constructor(message, details) { super(message); this.code = details.code; this.worker = workerData.id; }
}
addon.setErrorClass(WorkerError);
const object = addon.openObject('flows');
const programs = object.programs().map((p) => p.name);
const maps = object.maps().map((m) => m.name + ':' + m.keySize + ':' + m.valueSize);
let error = null;
try { addon.openObject('no_such_object'); } catch (e) { error = { own: e instanceof WorkerError, code: e.code, worker: e.worker }; }
addon.openObject('procs'); // left open: the environment's cleanup hook frees it when the worker ends
object.close();
parentPort.postMessage({ id: workerData.id, embedded: addon.embeddedObjects(), programs, maps, error });
`;

interface WorkerReport {
  id: number;
  embedded: string[];
  programs: string[];
  maps: string[];
  error: { own: boolean; code: string; worker: number } | null;
}

function runWorker(id: number): Promise<{ report: WorkerReport; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { id, path: addonPath() } });
    let report: WorkerReport | null = null;
    worker.on('message', (message: WorkerReport) => (report = message));
    worker.on('error', reject);
    worker.on('exit', (exitCode) => (report ? resolve({ report, exitCode }) : reject(new Error(`worker ${id} exited ${exitCode} without a report`))));
  });
}

describe.skipIf(suite.skip)('the addon in worker threads', () => {
  it('loads in two workers at once, each with its own error class, and the main thread keeps working', async () => {
    const addon = loadAddon();
    const mainObject = addon.openObject('flows');
    try {
      const expected = { programs: mainObject.programs().map((p) => p.name), maps: mainObject.maps().map((m) => `${m.name}:${m.keySize}:${m.valueSize}`) };
      const results = await Promise.all([runWorker(1), runWorker(2)]);
      for (const [index, { report, exitCode }] of results.entries()) {
        expect(exitCode).toBe(0);
        expect(report.embedded).toEqual(addon.embeddedObjects());
        expect({ programs: report.programs, maps: report.maps }).toEqual(expected);
        expect(report.error).toEqual({ own: true, code: 'ENOENT', worker: index + 1 });
      }
      // After both environments are gone: the main thread's constructors and error class are its own.
      expect(mainObject.maps().map((m) => m.name)).toContain('flows');
      const again = addon.openObject('owners_connect');
      expect(again.programs().length).toBeGreaterThan(0);
      again.close();
      expect(() => addon.openObject('no_such_object')).toThrow(NativeError);
    } finally {
      mainObject.close();
    }
  });
});
