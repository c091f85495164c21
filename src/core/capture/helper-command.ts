// How the engine starts the root helper. Directly when already root; through sudo otherwise (the
// CLI); the desktop app passes its own command (pkexec + the fixed launcher in resources/).

import { fileURLToPath } from 'node:url';

/** dist/src/helper/main.js, next to this module's compiled location (dist/src/core/capture/). */
export function defaultHelperScript(): string {
  return fileURLToPath(new URL('../../helper/main.js', import.meta.url));
}

export type Elevation = 'none' | 'sudo' | 'sudo-noninteractive';

/**
 * argv that starts the helper; `none` expects to be root already. `asNode`: `node` is Electron run
 * as Node (the installed package's CLI, see resources/linux/bin/snitchmap). sudo resets the
 * environment, so ELECTRON_RUN_AS_NODE is set again on the far side of it; without it Electron
 * would start the desktop app, as root.
 */
export function helperCommand(elevation: Elevation, script = defaultHelperScript(), node = process.execPath,
  asNode = process.versions.electron !== undefined): string[] {
  const run = asNode ? ['/usr/bin/env', 'ELECTRON_RUN_AS_NODE=1', node, script] : [node, script];
  switch (elevation) {
    case 'none':
      return [node, script];
    case 'sudo':
      return ['sudo', '--', ...run];
    case 'sudo-noninteractive':
      return ['sudo', '-n', '--', ...run];
  }
}

/**
 * The whole environment of a helper started directly as root: nothing inherited. NODE_OPTIONS
 * (--require, --import), NODE_PATH, LD_PRELOAD and the like would otherwise decide what a root node
 * process loads; sudo and pkexec clear the environment themselves.
 */
export const ROOT_HELPER_ENV: NodeJS.ProcessEnv = Object.freeze({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' });
