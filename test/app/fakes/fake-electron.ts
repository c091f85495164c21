// Just enough of Electron's main-process API, recording what src/main does with it, to run
// src/main/index.ts under vitest (there is no Electron binary on build machines).

type Listener = (...args: unknown[]) => unknown;

class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  once(event: string, listener: Listener): this {
    return this.on(event, listener);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
}

export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeWebContents extends Emitter {
  sent: Array<[string, unknown]> = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

export function createFakeElectron() {
  const state = {
    windows: [] as FakeBrowserWindow[],
    trays: [] as FakeTray[],
    handlers: new Map<string, Listener>(),
    protocolHandlers: new Map<string, (request: { url: string }) => Promise<Response>>(),
    privilegedSchemes: [] as unknown[],
    fetched: [] as string[],
    opened: [] as string[],
    notifications: [] as unknown[],
    permissionRequestHandler: null as Listener | null,
    permissionCheckHandler: null as Listener | null,
    exitCode: null as number | null,
    quitCalls: 0,
    gotLock: true,
  };

  class FakeBrowserWindow extends Emitter {
    readonly webContents = new FakeWebContents();
    visible = false;
    minimized = false;
    destroyed = false;
    loaded: string | null = null;
    constructor(readonly options: Record<string, unknown>) {
      super();
      state.windows.push(this);
    }
    loadURL(url: string): Promise<void> {
      this.loaded = url;
      return Promise.resolve();
    }
    show(): void {
      this.visible = true;
      this.emit('show');
    }
    hide(): void {
      this.visible = false;
      this.emit('hide');
    }
    focus(): void {}
    restore(): void {
      this.minimized = false;
    }
    isVisible(): boolean {
      return this.visible;
    }
    isMinimized(): boolean {
      return this.minimized;
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
    /** What the user's close button does: 'close', then destruction unless prevented. */
    close(): boolean {
      const event = new FakeEvent();
      this.emit('close', event);
      if (!event.defaultPrevented) this.destroyed = true;
      return !event.defaultPrevented;
    }
  }

  class FakeTray {
    image: unknown = null;
    tooltip = '';
    menu: Array<{ label: string; click: () => void }> = [];
    destroyed = false;
    constructor(image: unknown) {
      this.image = image;
      state.trays.push(this);
    }
    setImage(image: unknown): void {
      this.image = image;
    }
    setToolTip(text: string): void {
      this.tooltip = text;
    }
    setContextMenu(menu: Array<{ label: string; click: () => void }>): void {
      this.menu = menu;
    }
    destroy(): void {
      this.destroyed = true;
    }
  }

  let ready: () => void = () => undefined;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    getAppPath: () => '/app',
    requestSingleInstanceLock: () => state.gotLock,
    whenReady: () => readyPromise,
    quit: () => {
      state.quitCalls++;
      app.emit('before-quit', new FakeEvent());
      for (const window of state.windows) if (!window.destroyed) window.close();
      app.emit('will-quit', new FakeEvent());
    },
    exit: (code: number) => {
      state.exitCode = code;
    },
  });

  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Menu: { buildFromTemplate: (template: unknown) => template },
    nativeImage: { createFromPath: (path: string) => ({ path }), createEmpty: () => ({ path: null }) },
    Notification: class {
      constructor(readonly options: unknown) {}
      show(): void {
        state.notifications.push(this.options);
      }
    },
    ipcMain: {
      handle: (channel: string, handler: Listener) => state.handlers.set(channel, handler),
      removeHandler: (channel: string) => state.handlers.delete(channel),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => state.privilegedSchemes.push(...schemes),
      handle: (scheme: string, handler: (request: { url: string }) => Promise<Response>) => state.protocolHandlers.set(scheme, handler),
    },
    net: {
      fetch: async (url: string) => {
        state.fetched.push(url);
        return new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } });
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: Listener) => (state.permissionRequestHandler = handler),
        setPermissionCheckHandler: (handler: Listener) => (state.permissionCheckHandler = handler),
      },
    },
    shell: { openExternal: async (url: string) => void state.opened.push(url) },
  };
  return { electron, state, ready: () => ready() };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
