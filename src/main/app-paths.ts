// Where the app's files are, packaged (electron-builder: resources next to app.asar) or run from
// a checkout (`electron .` after `npm run build`).

import { join } from 'node:path';

export interface AppPaths {
  preload: string;
  renderer: string;
  icons: string;
  /** The polkit action's exec.path; must match resources/polkit/org.snitchmap.helper.policy. */
  launcher: string;
}

export const INSTALLED_LAUNCHER = '/opt/snitchmap/resources/helper/snitchmap-helper-launcher';

export function appPaths(appRoot: string, resourcesPath: string, packaged: boolean): AppPaths {
  const resources = packaged ? resourcesPath : join(appRoot, 'resources');
  return {
    preload: join(appRoot, 'out', 'preload', 'index.cjs'),
    renderer: join(appRoot, 'out', 'renderer'),
    icons: join(resources, 'icons'),
    // From a checkout the launcher is still the installed, root-owned one: polkit names it by path.
    launcher: packaged ? join(resourcesPath, 'helper', 'snitchmap-helper-launcher') : INSTALLED_LAUNCHER,
  };
}
