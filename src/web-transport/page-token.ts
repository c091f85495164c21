// The session token of `snitchmap serve`, from the page URL's fragment (`#token=…`), which browsers
// never send to any server. It moves to sessionStorage, whose scope is this origin with its port
// (unlike a cookie, which every server on 127.0.0.1 would get), and leaves the address bar and
// history; a reload reads it back from there.

import { TOKEN_PARAM } from '../shared/web-protocol.js';

const STORAGE_KEY = 'snitchmap.token';

/** The parts of `window` used (declared here: this folder is type-checked without the DOM too). */
export interface PageState {
  location: { hash: string; pathname: string; search: string };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  history: { replaceState(data: unknown, unused: string, url?: string | null): void };
}

export function takePageToken(page: PageState): string | null {
  const params = new URLSearchParams(page.location.hash.replace(/^#/, ''));
  const fromHash = params.get(TOKEN_PARAM);
  if (fromHash !== null && fromHash !== '') {
    page.sessionStorage.setItem(STORAGE_KEY, fromHash);
    // Only the token leaves the URL: the rest of the fragment (a history window, #from=…&to=…) stays.
    params.delete(TOKEN_PARAM);
    const rest = params.toString();
    page.history.replaceState(null, '', `${page.location.pathname}${page.location.search}${rest === '' ? '' : `#${rest}`}`);
    return fromHash;
  }
  return page.sessionStorage.getItem(STORAGE_KEY);
}
