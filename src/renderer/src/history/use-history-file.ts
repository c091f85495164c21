// Which history file the backend writes, and why it might not: asked when the Settings dialog
// opens. The window is "now" with a limit of one, so the store reads almost nothing; the answer's
// `file` and `notice` are what the dialog shows.

import { useEffect, useState } from 'react';
import type { SnitchmapApi } from '../../../shared/api.js';

export interface HistoryFileStatus {
  enabled: boolean;
  file: string | null;
  notice: string | null;
}

/** Asked each time `active` turns true (the dialog opens). */
export function useHistoryFile(api: SnitchmapApi, active: boolean): HistoryFileStatus | null {
  const [status, setStatus] = useState<HistoryFileStatus | null>(null);
  useEffect(function ask() {
    if (!active) return;
    setStatus(null);
    let current = true;
    const now = Date.now();
    api.getHistory({ from: now, to: now }, { limit: 1 }).then(
      ({ enabled, file, notice }) => current && setStatus({ enabled, file, notice }),
      (error: unknown) => current && setStatus({ enabled: false, file: null, notice: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      current = false;
    };
  }, [api, active]);
  return status;
}
