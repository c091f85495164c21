// Where snitchmap's files live: the XDG config dir, and the build artefacts found by walking up from
// this module (dist/src/core/config when run from tsc output, src/core/config under vitest, out/main
// in the Electron bundle) to the folder that holds build/data.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `$XDG_CONFIG_HOME/snitchmap` when that is absolute, else `<home>/.config/snitchmap`. The one place
 * the config dir is decided: the desktop app, watch/serve and the engine all call this. A root-run CLI
 * that dropped to the invoking user passes that user's home (from /etc/passwd) and an env without
 * root's XDG_CONFIG_HOME.
 */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env, homeDir: string = env.HOME ?? homedir()): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homeDir, '.config');
  return join(base, 'snitchmap');
}

export function findUp(relative: string, from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = from;
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export function defaultAsnTablePath(): string | null {
  return findUp(join('build', 'data', 'asn.bin'));
}
