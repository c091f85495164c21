// Is there a tray to put an icon in? Electron draws the icon as a StatusNotifierItem, which only
// shows when something owns org.kde.StatusNotifierWatcher on the session bus (GNOME has none
// without the AppIndicator extension). SNITCHMAP_TRAY=on|off overrides the probe.

export type CommandRunner = (command: string, args: string[]) => Promise<{ status: number | null; stdout: string }>;

const WATCHER = 'org.kde.StatusNotifierWatcher';

export async function detectTrayHost(env: NodeJS.ProcessEnv, run: CommandRunner): Promise<boolean> {
  if (env.SNITCHMAP_TRAY === 'on') return true;
  if (env.SNITCHMAP_TRAY === 'off') return false;
  if (env.DBUS_SESSION_BUS_ADDRESS === undefined || env.DBUS_SESSION_BUS_ADDRESS === '') return false;
  try {
    const result = await run('dbus-send', [
      '--session',
      '--print-reply',
      '--reply-timeout=1000',
      '--dest=org.freedesktop.DBus',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus.NameHasOwner',
      `string:${WATCHER}`,
    ]);
    return result.status === 0 && /\bboolean true\b/.test(result.stdout);
  } catch {
    // No dbus-send: we cannot tell, and an invisible tray icon is worse than quitting on close.
    return false;
  }
}
