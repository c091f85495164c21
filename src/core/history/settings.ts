// The `history` section of the settings: declared and validated with every other setting in
// src/shared/settings.ts (one schema for the desktop, serve and the renderer's form).

export { DEFAULT_HISTORY_SETTINGS, validateHistorySettings, type HistorySettings } from '../../shared/settings.js';
