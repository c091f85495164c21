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

/** `appImage`: the APPIMAGE variable the AppImage runtime sets. */
export function appPaths(appRoot: string, resourcesPath: string, packaged: boolean, appImage: string | undefined): AppPaths {
  const resources = packaged ? resourcesPath : join(appRoot, 'resources');
  // From a checkout, and from an AppImage (a FUSE mount root cannot read, with no policy
  // installed), the launcher can only be the installed, root-owned one that polkit names.
  const ownLauncher = packaged && appImage === undefined;
  return {
    preload: join(appRoot, 'out', 'preload', 'index.cjs'),
    renderer: join(appRoot, 'out', 'renderer'),
    icons: join(resources, 'icons'),
    launcher: ownLauncher ? join(resourcesPath, 'helper', 'snitchmap-helper-launcher') : INSTALLED_LAUNCHER,
  };
}
