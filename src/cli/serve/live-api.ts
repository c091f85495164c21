// The server side of window.snitchmap for `serve`: one WebRequest in, one result or error out.
// Requests come from a browser page, so the method and every parameter are checked here.

import type { Settings, Snapshot } from '../../shared/api.js';
import type { HistoryResult, Timeline } from '../../shared/history.js';
import { API_METHODS } from '../../shared/api.js';
import type { ApiMethod, WebMessage } from '../../shared/web-protocol.js';

export interface ApiBackend {
  getSnapshot(): Snapshot;
  pause(): Promise<void>;
  resume(): Promise<void>;
  clear(): void;
  getSettings(): Settings;
  updateSettings(patch: unknown): Settings;
  retryCapture(): Promise<void>;
  getHistory(window: unknown, filter?: unknown): Promise<HistoryResult>;
  getTimeline(range: unknown): Promise<Timeline>;
}

function isMethod(value: unknown): value is ApiMethod {
  return typeof value === 'string' && (API_METHODS as readonly string[]).includes(value);
}

function parseRequest(raw: string): { id: number; method: ApiMethod; params: unknown[] } | { id: number | null; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { id: null, error: 'request is not JSON' };
  }
  if (typeof value !== 'object' || value === null) return { id: null, error: 'request is not an object' };
  const request = value as Record<string, unknown>;
  const id = typeof request.id === 'number' && Number.isSafeInteger(request.id) ? request.id : null;
  if (id === null) return { id: null, error: 'request needs an integer id' };
  if (!isMethod(request.method)) return { id, error: 'unknown method' };
  const params = request.params ?? [];
  if (!Array.isArray(params)) return { id, error: 'params must be an array' };
  return { id, method: request.method, params };
}

async function call(backend: ApiBackend, method: ApiMethod, params: unknown[]): Promise<unknown> {
  switch (method) {
    case 'getSnapshot':
      return backend.getSnapshot();
    case 'pause':
      return backend.pause();
    case 'resume':
      return backend.resume();
    case 'clear':
      return backend.clear();
    case 'getSettings':
      return backend.getSettings();
    case 'updateSettings':
      return backend.updateSettings(params[0]);
    case 'retryCapture':
      return backend.retryCapture();
    case 'getHistory':
      return backend.getHistory(params[0], params[1]);
    case 'getTimeline':
      return backend.getTimeline(params[0]);
  }
}

/** Handles one WebSocket text message; null when nothing can be answered (no usable id). */
export async function handleWebRequest(backend: ApiBackend, raw: string): Promise<WebMessage | null> {
  const request = parseRequest(raw);
  if ('error' in request) return request.id === null ? null : { kind: 'error', id: request.id, message: request.error };
  try {
    const result = await call(backend, request.method, request.params);
    return { kind: 'result', id: request.id, result: result ?? null };
  } catch (error) {
    return { kind: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) };
  }
}
