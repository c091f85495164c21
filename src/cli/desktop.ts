// `snitchmap` with no arguments: the desktop app when it can run (a display, an Electron binary,
// a built app, not root), otherwise `snitchmap serve` — which prints the URL to open — after one
// line on stderr saying why there is no window. The CLI's no-args path calls launchDesktop().

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DesktopLaunchDeps {
  env: NodeJS.ProcessEnv;
  uid: number;
  /** The checkout: holds out/main/index.js and node_modules/electron. */
  appRoot: string;
  exists(path: string): boolean;
  readFile(path: string): string;
  /** Runs Electron on the app; resolves with its exit status. */
  runElectron(binary: string, args: string[], env: NodeJS.ProcessEnv): Promise<number>;
  /** The CLI's `serve` with default options; resolves with its exit status. */
  serve(): Promise<number>;
  stderr(line: string): void;
}

/** The Electron binary the `electron` npm package would run, without its download-on-demand. */
export function findElectron(deps: Pick<DesktopLaunchDeps, 'env' | 'appRoot' | 'exists' | 'readFile'>): string | null {
  const packageDir = join(deps.appRoot, 'node_modules', 'electron');
  const pathFile = join(packageDir, 'path.txt');
  const relative = deps.exists(pathFile) ? deps.readFile(pathFile).trim() : null;
  const override = deps.env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidate = override ? join(override, relative ?? 'electron') : relative ? join(packageDir, 'dist', relative) : null;
  return candidate !== null && deps.exists(candidate) ? candidate : null;
}

/** Why the desktop window cannot open here, or null when it can. */
export function desktopUnavailableReason(deps: Pick<DesktopLaunchDeps, 'env' | 'uid' | 'appRoot' | 'exists' | 'readFile'>): string | null {
  if (deps.uid === 0) return 'the desktop window never runs as root (only the capture helper does)';
  if (!deps.env.DISPLAY && !deps.env.WAYLAND_DISPLAY) return 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
  if (findElectron(deps) === null) return 'no Electron binary (install it with `npx install-electron` on a machine with network access)';
  if (!deps.exists(join(deps.appRoot, 'out', 'main', 'index.js'))) return 'the desktop app is not built (run `npm run build`)';
  return null;
}

export async function launchDesktop(deps: DesktopLaunchDeps): Promise<number> {
  const reason = desktopUnavailableReason(deps);
  const electron = findElectron(deps);
  if (reason !== null || electron === null) {
    deps.stderr(`snitchmap: no desktop window: ${reason ?? 'no Electron binary'}; serving the UI in your browser instead.`);
    return deps.serve();
  }
  // A leaked ELECTRON_RUN_AS_NODE would start Electron as plain Node instead of the app.
  const { ELECTRON_RUN_AS_NODE: _dropped, ...env } = deps.env;
  return deps.runElectron(electron, [deps.appRoot], env);
}

/** Real dependencies for the CLI: it supplies only its `serve`. */
export function defaultDesktopDeps(serve: () => Promise<number>): DesktopLaunchDeps {
  return {
    env: process.env,
    uid: process.getuid?.() ?? -1,
    // This module runs as dist/src/cli/desktop.js; the checkout is three levels up.
    appRoot: fileURLToPath(new URL('../../../', import.meta.url)),
    exists: existsSync,
    readFile: (path) => readFileSync(path, 'utf8'),
    runElectron: (binary, args, env) =>
      new Promise((resolve) => {
        const child = spawn(binary, args, { stdio: 'inherit', env });
        child.once('error', (error) => {
          process.stderr.write(`snitchmap: cannot start Electron (${binary}): ${error.message}\n`);
          resolve(1);
        });
        child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
      }),
    serve,
    stderr: (line) => process.stderr.write(`${line}\n`),
  };
}
