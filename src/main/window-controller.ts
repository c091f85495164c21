// What the window does when it is closed, when a second launch arrives and when the tray menu
// toggles it. With a tray host, closing hides to the tray; without one the tray icon would be
// invisible, so closing quits (otherwise the app would run on with no way back to it).

/** The slice of a BrowserWindow this logic needs. */
export interface WindowLike {
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isVisible(): boolean;
  isMinimized(): boolean;
}

export interface WindowController {
  /** Called from the window's 'close' event: true = let it close, false = prevent it (hidden). */
  onCloseRequested(): boolean;
  /** Tray "Show"/"Hide". */
  toggle(): void;
  /** A second launch of the app: bring the existing window forward. */
  reveal(): void;
  /** Quit was chosen: the next close goes through. */
  markQuitting(): void;
  isQuitting(): boolean;
}

export function createWindowController(window: WindowLike, hasTrayHost: () => boolean): WindowController {
  let quitting = false;
  const reveal = (): void => {
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };
  return {
    onCloseRequested() {
      if (quitting || !hasTrayHost()) return true;
      window.hide();
      return false;
    },
    toggle() {
      if (window.isVisible()) window.hide();
      else reveal();
    },
    reveal,
    markQuitting() {
      quitting = true;
    },
    isQuitting: () => quitting,
  };
}
