// Freedesktop desktop entries (Desktop Entry Specification 1.5): the parse of the [Desktop Entry]
// group we need (Name, Icon, Exec, TryExec, StartupWMClass, NoDisplay/Hidden), and where entries live:
// `applications/` under $XDG_DATA_HOME then each of $XDG_DATA_DIRS, the first file of an id winning.
// A desktop file id is its path below applications/ with '/' replaced by '-'.

export interface DesktopEntry {
  /** Desktop file id without ".desktop" (org.mozilla.firefox, firefox_firefox). */
  id: string;
  name: string;
  icon: string | null;
  /** File name of the program Exec (or TryExec) runs, for matching executables; null when none. */
  program: string | null;
  wmClass: string | null;
  hidden: boolean;
}

/** Bytes of a desktop file we read at most (real ones are under 40 KiB with every translation). */
export const MAX_DESKTOP_FILE = 256 * 1024;

/** The program of an Exec line: the first word, unquoted, without env assignments or flatpak run. */
export function programOf(exec: string): string | null {
  const words = exec.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
  let index = 0;
  if (words[index] === 'env') {
    index++;
    while (index < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[index]!)) index++;
  }
  const first = words[index];
  if (first === undefined) return null;
  const program = first.startsWith('"') ? first.slice(1, -1).replace(/\\(.)/g, '$1') : first;
  const base = program.slice(program.lastIndexOf('/') + 1);
  return base === '' || base.startsWith('%') ? null : base;
}

/** Escapes of the spec's string values: \s \n \t \r \\. */
function unescapeValue(value: string): string {
  return value.replace(/\\([sntr\\])/g, (_, c: string) => ({ s: ' ', n: ' ', t: ' ', r: ' ', '\\': '\\' })[c] ?? c);
}

/** Parses the [Desktop Entry] group; null when there is none, or it is not Type=Application with a Name. */
export function parseDesktopEntry(id: string, text: string): DesktopEntry | null {
  const values = new Map<string, string>();
  let inGroup = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      if (inGroup) break;
      inGroup = line === '[Desktop Entry]';
      continue;
    }
    if (!inGroup) continue;
    const equals = line.indexOf('=');
    if (equals <= 0) continue;
    const key = line.slice(0, equals).trim();
    // First occurrence wins; localized keys (Name[de]) are not the plain key.
    if (!values.has(key)) values.set(key, unescapeValue(line.slice(equals + 1).trim()));
  }
  const name = values.get('Name');
  if (!inGroup && values.size === 0) return null;
  if (name === undefined || name === '' || (values.get('Type') ?? 'Application') !== 'Application') return null;
  const exec = values.get('TryExec') ?? values.get('Exec');
  return {
    id,
    name: name.slice(0, 200),
    icon: values.get('Icon') || null,
    program: exec === undefined ? null : programOf(exec),
    wmClass: values.get('StartupWMClass') || null,
    hidden: values.get('Hidden') === 'true' || values.get('NoDisplay') === 'true',
  };
}

/** Base directories of the XDG Base Directory spec, in lookup order (data home first). */
export function dataDirs(env: NodeJS.ProcessEnv, home: string): string[] {
  const dataHome = env.XDG_DATA_HOME?.startsWith('/') ? env.XDG_DATA_HOME : `${home}/.local/share`;
  const listed = (env.XDG_DATA_DIRS ?? '').split(':').filter((dir) => dir.startsWith('/'));
  // The spec's default; Flatpak and snapd add their export dirs to XDG_DATA_DIRS in a session, and
  // a CLI started outside one would miss them, so they follow the default.
  const system = listed.length > 0
    ? listed
    : ['/usr/local/share', '/usr/share', `${home}/.local/share/flatpak/exports/share`, '/var/lib/flatpak/exports/share', '/var/lib/snapd/desktop'];
  return [...new Set([dataHome, ...system])];
}
