// The History part of the Settings form: on/off, retention in days and a size cap in MiB (the
// `history` setting, src/shared/settings.ts, applied at the next start), and the file the running
// snitchmap writes (or why it writes none).

import type { HistorySettings } from '../../../shared/settings.js';
import type { HistoryFileStatus } from '../history/use-history-file.js';

/** The form's text: numbers stay text until Save, so the shared validator names a bad one. */
export interface HistoryDraft {
  enabled: boolean;
  retentionDays: string;
  maxMegabytes: string;
}

export const historyDraft = (settings: HistorySettings): HistoryDraft => ({
  enabled: settings.enabled,
  retentionDays: String(settings.retentionDays),
  maxMegabytes: String(settings.maxMegabytes),
});

// Number('') is 0 and Number(' 7 ') is 7: empty or padded text becomes NaN or stays, and the
// validator refuses NaN and 0 by name.
const whole = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));

export const historyPatch = (draft: HistoryDraft): HistorySettings => ({
  enabled: draft.enabled,
  retentionDays: whole(draft.retentionDays),
  maxMegabytes: whole(draft.maxMegabytes),
});

interface Props {
  draft: HistoryDraft;
  onChange: (draft: HistoryDraft) => void;
  status: HistoryFileStatus | null;
}

function fileLine(status: HistoryFileStatus | null): string {
  if (status === null) return 'Asking…';
  if (status.enabled && status.file !== null) return status.file;
  return status.notice ?? 'history is off';
}

export function HistorySettingsFields({ draft, onChange, status }: Props) {
  return (
    <fieldset>
      <legend>History (applied at the next start)</legend>
      <label>
        <input type="checkbox" checked={draft.enabled} onChange={(e) => onChange({ ...draft, enabled: e.target.checked })} />
        Keep a history of connections
      </label>
      <label>Keep days <input value={draft.retentionDays} onChange={(e) => onChange({ ...draft, retentionDays: e.target.value })} inputMode="numeric" /></label>
      <label>At most MiB <input value={draft.maxMegabytes} onChange={(e) => onChange({ ...draft, maxMegabytes: e.target.value })} inputMode="numeric" /></label>
      <p className="hint" data-testid="history-file">
        File now: <code>{fileLine(status)}</code>
        {status?.enabled && status.notice !== null && ` (${status.notice})`}
      </p>
    </fieldset>
  );
}
