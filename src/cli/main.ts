// Entry point of `snitchmap` (bin/snitchmap → dist/src/cli/main.js). Exit codes: 0 done, 1 runtime
// failure, 2 usage error.

import { join } from 'node:path';
import { rootElevation, spawnRootHelper, sudoElevation, unprivilegedElevation } from '../core/app/cli-elevation.js';
import { ElevatedSource } from '../core/app/elevated-source.js';
import type { Elevation } from '../core/app/elevation.js';
import { ProcSource } from '../core/capture/proc-source.js';
import { defaultConfigDir } from '../core/config/paths.js';
import { UsageError, parseArgs, type Invocation, type ServeOptions, type WatchOptions } from './args.js';
import { findPackage } from './package-info.js';
import { defaultDesktopDeps, launchDesktop } from './desktop.js';
import { dropPrivileges, targetUser, userEnvironment } from './privileges.js';
import { runServe } from './serve.js';
import { defaultHistoryPath } from '../core/history/paths.js';
import { runHistory } from './history.js';
import { HISTORY_USAGE, MAIN_USAGE, SERVE_USAGE, WATCH_USAGE } from './usage.js';
import { runWatch } from './watch.js';

// The engine (GeoIP readers, DNS parsing) is loaded only for watch/serve: --help and usage errors
// stay instant and work even when a dependency is broken.
async function engineModules() {
  const [{ createEngine }, { createPublisher }, { openCliHistory }, { keepYoungGenerationSmall }] = await Promise.all([
    import('../core/engine.js'),
    import('../core/publisher.js'),
    import('./history-option.js'),
    import('../core/heap-policy.js'),
  ]);
  keepYoungGenerationSmall();
  return { createEngine, createPublisher, openHistory: openCliHistory };
}

const warn = (message: string): void => void process.stderr.write(`snitchmap: ${message}\n`);

interface Capture {
  elevation: Elevation;
  configDir: string;
  /** Stops a root helper nobody claimed (the engine never started). */
  release(): Promise<void>;
}

/**
 * As root: start the helper, then become the invoking user (or nobody) for everything else
 * (src/cli/privileges.ts). As a user: /proc, or sudo -n with --sudo.
 */
function prepareCapture(verb: 'watch' | 'serve', sudo: boolean): Capture {
  if (process.getuid?.() !== 0) {
    return { elevation: sudo ? sudoElevation(verb) : unprivilegedElevation(verb), configDir: defaultConfigDir(), release: async () => undefined };
  }
  const helper = spawnRootHelper({ onWarning: warn });
  const user = targetUser(process.env);
  try {
    dropPrivileges(user);
  } catch (error) {
    void helper.stop();
    throw error;
  }
  userEnvironment(process.env, user);
  return {
    elevation: rootElevation(verb, helper, () => process.geteuid?.() === 0),
    configDir: defaultConfigDir(process.env, user.home),
    release: () => helper.stop(),
  };
}

async function watch(options: WatchOptions): Promise<number> {
  const { createEngine, openHistory } = await engineModules();
  const capture = prepareCapture('watch', options.sudo);
  try {
    return await runWatch(options, {
      createEngine: (engineOptions) => createEngine({ ...engineOptions, configDir: capture.configDir }),
      openHistory,
      createSource: (onWarning) => new ElevatedSource(capture.elevation, () => new ProcSource(), onWarning),
      stdout: process.stdout,
      stderr: process.stderr,
      signals: process,
    });
  } finally {
    await capture.release();
  }
}

async function serve(options: ServeOptions): Promise<number> {
  const { createEngine, createPublisher, openHistory } = await engineModules();
  const capture = prepareCapture('serve', options.sudo);
  try {
    return await runServe(options, {
      createEngine,
      createPublisher,
      openHistory,
      elevation: capture.elevation,
      stdout: process.stdout,
      stderr: process.stderr,
      signals: process,
      configDir: capture.configDir,
      rendererRoot: join(findPackage()?.root ?? process.cwd(), 'out', 'renderer'),
    });
  } finally {
    await capture.release();
  }
}

async function run(invocation: Invocation): Promise<number> {
  switch (invocation.kind) {
    case 'help': {
      const text = { main: MAIN_USAGE, watch: WATCH_USAGE, serve: SERVE_USAGE, history: HISTORY_USAGE }[invocation.topic];
      process.stdout.write(text);
      return 0;
    }
    case 'version':
      process.stdout.write(`snitchmap ${findPackage()?.version ?? 'unknown'}\n`);
      return 0;
    case 'watch':
      return watch(invocation.options);
    case 'serve':
      return serve(invocation.options);
    case 'history':
      return runHistory(invocation.options, { stdout: process.stdout, stderr: process.stderr, defaultFile: defaultHistoryPath() });
    case 'default':
      // The desktop window when a display and Electron exist (and not root); otherwise serve.
      return launchDesktop(defaultDesktopDeps(() => serve({ port: 0, sudo: false })));
  }
}

let invocation: Invocation;
try {
  invocation = parseArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  const hint = error.command === null ? "'snitchmap --help'" : `'snitchmap ${error.command} --help'`;
  process.stderr.write(`snitchmap: ${error.message}\nTry ${hint}.\n`);
  process.exit(2);
}

run(invocation).then(
  (code) => {
    process.exitCode = code;
    // Open handles (a stuck helper pipe, a keep-alive socket) must not keep a finished CLI alive.
    setTimeout(() => process.exit(code), 3000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`snitchmap: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
