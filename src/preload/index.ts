// The sandboxed preload: exposes the narrow window.snitchmap API and nothing else. Built as one
// CommonJS bundle (a sandboxed preload can require only 'electron' and a few built-ins).

import { contextBridge, ipcRenderer } from 'electron';
import { createIpcApi } from './ipc-api.js';

contextBridge.exposeInMainWorld('snitchmap', createIpcApi(ipcRenderer));
