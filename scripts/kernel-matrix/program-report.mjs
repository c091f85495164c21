// Loads every program of every embedded BPF object on its own (autoload off for the others) and
// prints one JSON line: per program, "ok" or the verifier's last words. Attaches nothing. The kernel
// matrix keeps it next to the test results, so a program a kernel refuses is named with its reason
// even when a fallback hides the refusal from the tests.
import { loadAddon } from '../../dist/native/addon.js';
import { toNativeError, verifierReason } from '../../dist/native/errors.js';

const addon = loadAddon();
const report = {};
for (const name of addon.embeddedObjects()) {
  if (name === 'tc_empty') continue;
  const probe = addon.openObject(name);
  const programs = probe.programs().map((program) => program.name);
  probe.close();
  for (const program of programs) {
    const object = addon.openObject(name);
    try {
      for (const other of programs) object.setAutoload(other, other === program);
      object.load();
      report[`${name}/${program}`] = 'ok';
    } catch (error) {
      report[`${name}/${program}`] = verifierReason(toNativeError(error)).slice(0, 400);
    } finally {
      object.close();
    }
  }
}
console.log(JSON.stringify(report));
