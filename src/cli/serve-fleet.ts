// `snitchmap serve --fleet PROMETHEUS_URL`: the same UI, fed by Prometheus instead of a capture on
// this machine (docs/design.md "Fleet mode"). Pause stops polling, Retry refreshes at once, Clear
// has nothing to forget (the data is Prometheus's).

import type { Home } from '../shared/contract.js';
import type { ServeOptions } from './args.js';
import type { ServeDeps } from './serve.js';
import { createFleetPublisher } from '../core/fleet/fleet-publisher.js';
import { FleetHomes, readFleetHomesFile } from '../core/fleet/fleet-homes-file.js';
import { InputFileError } from '../core/config/input-file.js';
import { guessHome, systemZone } from '../core/home/home.js';
import { createToken } from './serve/security.js';
import { startServer } from './serve/server.js';
import { createHistoryApi } from '../core/history/api.js';
import { disabledHistory } from '../core/history/history.js';
import { openSettingsStore } from '../core/app/settings-store.js';

export async function runFleetServe(options: ServeOptions & { fleet: string }, deps: Omit<ServeDeps, 'createEngine' | 'createPublisher' | 'createSource'>): Promise<number> {
  const warn = (message: string): void => void deps.stderr.write(`snitchmap: ${message}\n`);
  const settings = openSettingsStore(deps.configDir, warn);
  const saved = options.home ?? settings.get().home ?? null;
  const home: Home = saved ? { label: 'Home', ...saved } : guessHome(systemZone());
  let homes = new FleetHomes([]);
  try {
    if (options.fleetHomes !== undefined) homes = new FleetHomes(readFleetHomesFile(options.fleetHomes, warn));
  } catch (error) {
    // Running without the homes asked for would look like it worked: say which file, exit 1.
    if (!(error instanceof InputFileError)) throw error;
    warn(error.message);
    return 1;
  }
  const publisher = createFleetPublisher({ prometheusUrl: options.fleet, home, homes });
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const onSignal = (): void => finish(0);
  deps.signals.on('SIGINT', onSignal);
  deps.signals.on('SIGTERM', onSignal);
  publisher.start();
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    server = await startServer({
      port: options.port,
      token: createToken(),
      rendererRoot: deps.rendererRoot,
      backend: {
        getSnapshot: async () => publisher.snapshot(),
        pause: async () => {
          publisher.stop();
          publisher.setStatus({ paused: true });
        },
        resume: async () => {
          publisher.start();
          publisher.setStatus({ paused: false });
        },
        clear: async () => undefined,
        getSettings: async () => settings.get(),
        updateSettings: (patch) => settings.update(patch),
        retryCapture: () => publisher.refresh(),
        // The fleet's past is Prometheus's: no history file here.
        ...createHistoryApi(() => disabledHistory(null, 'no history in fleet mode')),
      },
      onDelta: (listener) => publisher.onDelta(listener),
    });
    deps.stdout.write(`${server.url}\n`);
  } catch (error) {
    warn(`cannot serve: ${error instanceof Error ? error.message : String(error)}`);
    finish(1);
  }
  const code = await finished;
  deps.signals.off('SIGINT', onSignal);
  deps.signals.off('SIGTERM', onSignal);
  publisher.dispose();
  await server?.close();
  return code;
}
