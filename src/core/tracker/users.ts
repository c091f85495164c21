// uid → user name from /etc/passwd, read once and cached (re-read at most once a minute when a uid
// is missing, so users created while snitchmap runs still get names).
import { readFileSync } from 'node:fs';

export type UserLookup = (uid: number) => string | null;

export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    const name = fields[0];
    const uid = Number(fields[2]);
    if (name && fields.length >= 3 && Number.isInteger(uid) && !users.has(uid)) users.set(uid, name);
  }
  return users;
}

export function createUserLookup(path = '/etc/passwd', now: () => number = Date.now): UserLookup {
  let users = new Map<number, string>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  const load = (): void => {
    loadedAt = now();
    try {
      users = parsePasswd(readFileSync(path, 'utf8'));
    } catch {
      users = new Map();
    }
  };
  return (uid) => {
    if (!users.has(uid) && now() - loadedAt > 60_000) load();
    return users.get(uid) ?? null;
  };
}
