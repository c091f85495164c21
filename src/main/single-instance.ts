// One snitchmap per session: a second launch hands over to the first (which shows its window)
// and exits. This also guarantees a single root helper.

export interface SingleInstanceApp {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: () => void): unknown;
  quit(): void;
}

/** True when this process is the one instance; otherwise it has asked to quit. */
export function setupSingleInstance(app: SingleInstanceApp, reveal: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  // The second instance's argv and working directory are not used: they are untrusted input.
  app.on('second-instance', reveal);
  return true;
}
