// What the timeline says about a past window's connections. The UI asks for at most a few
// thousand (src/core/history/api.ts, UI_LIMIT): past that it says how many more the window holds,
// so a cut list is never mistaken for the whole window. Pure, tested in Node.

const number = (n: number): string => n.toLocaleString('en-US');

export function windowCountText(shown: number, total: number): string {
  const noun = total === 1 ? 'connection' : 'connections';
  if (total <= shown) return `${number(total)} ${noun}`;
  return `${number(shown)} of ${number(total)} ${noun}, newest first · ${number(total - shown)} more: narrow the window to see them`;
}
