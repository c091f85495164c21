// Where the history lives by default. Resolved from the environment at call time, in this one
// place: a CLI started through sudo must not pick root's home (the caller decides whose
// environment this is).

import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultHistoryPath(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME;
  if (state !== undefined && state.startsWith('/')) return join(state, 'snitchmap', 'history.sqlite');
  const home = env.HOME !== undefined && env.HOME.startsWith('/') ? env.HOME : homedir();
  return join(home, '.local', 'state', 'snitchmap', 'history.sqlite');
}
