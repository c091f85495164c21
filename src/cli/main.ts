// Entry point of `snitchmap` (bin/snitchmap → dist/src/cli/main.js). Exit codes: 0 done, 1 runtime
// failure, 2 usage error.

import { join } from 'node:path';
import { chooseCaptureSource } from '../core/capture/choose-source.js';
import { UsageError, parseArgs, type Invocation, type ServeOptions } from './args.js';
import { findPackage } from './package-info.js';
import { defaultDesktopDeps, launchDesktop } from './desktop.js';
import { runServe } from './serve.js';
import { defaultConfigDir } from './settings-store.js';
import { defaultHistoryPath } from '../core/history/paths.js';
import { runHistory } from './history.js';
import { HISTORY_USAGE, MAIN_USAGE, SERVE_USAGE, WATCH_USAGE } from './usage.js';
import { runWatch } from './watch.js';

// The engine (GeoIP readers, DNS parsing) is loaded only for watch/serve: --help and usage errors
// stay instant and work even when a dependency is broken.
async function engineModules() {
  const [{ createEngine }, { createPublisher }, { openCliHistory }] = await Promise.all([
    import('../core/engine.js'),
    import('../core/publisher.js'),
    import('./history-option.js'),
  ]);
  return { createEngine, createPublisher, openHistory: openCliHistory };
}

function createSource(sudo: boolean) {
  return (onWarning: (message: string) => void) =>
    chooseCaptureSource({ isRoot: process.getuid?.() === 0, sudo, onWarning });
}

async function serve(options: ServeOptions): Promise<number> {
  const { createEngine, createPublisher, openHistory } = await engineModules();
  return runServe(options, {
    createEngine,
    createPublisher,
    openHistory,
    createSource: createSource(options.sudo),
    stdout: process.stdout,
    stderr: process.stderr,
    signals: process,
    configDir: defaultConfigDir(),
    rendererRoot: join(findPackage()?.root ?? process.cwd(), 'out', 'renderer'),
  });
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
    case 'watch': {
      const { createEngine, openHistory } = await engineModules();
      return runWatch(invocation.options, {
        createEngine,
        openHistory,
        createSource: createSource(invocation.options.sudo),
        stdout: process.stdout,
        stderr: process.stderr,
        signals: process,
      });
    }
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
