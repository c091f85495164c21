// Home location, the optional online tile layer and the history. Tiles are off by default: the
// basemap is bundled and nothing leaves the machine until the user turns them on here.

import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Home } from '../../../shared/contract.js';
import type { Settings } from '../../../shared/api.js';
import { DEFAULT_HISTORY_SETTINGS, HOME_LABEL_MAX, settingsProblem } from '../../../shared/settings.js';
import type { HistoryFileStatus } from '../history/use-history-file.js';
import { historyDraft, historyPatch, HistorySettingsFields } from './HistorySettings.js';

interface Props {
  settings: Settings;
  fallbackHome: Home;
  onSave: (patch: Partial<Settings>) => void;
  onClose: () => void;
  /** The history file in use (or why none); null while asked. */
  historyFile: HistoryFileStatus | null;
}


function parseCoordinate(text: string, limit: number): number | null {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) && Math.abs(value) <= limit ? value : null;
}

export function SettingsDialog({ settings, fallbackHome, onSave, onClose, historyFile }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const home = settings.home ?? fallbackHome;
  const [lat, setLat] = useState(String(home.lat));
  const [lon, setLon] = useState(String(home.lon));
  const [label, setLabel] = useState(home.label);
  const [tiles, setTiles] = useState(settings.onlineTiles);
  const [history, setHistory] = useState(() => historyDraft(settings.history ?? DEFAULT_HISTORY_SETTINGS));
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(function showModal() {
    const element = dialog.current;
    if (element !== null && !element.open) element.showModal();
  }, []);

  const save = (event: FormEvent) => {
    event.preventDefault();
    const latitude = parseCoordinate(lat, 90);
    const longitude = parseCoordinate(lon, 180);
    if (latitude === null || longitude === null) return setProblem('Latitude must be within ±90 and longitude within ±180.');
    const patch = { home: { lat: latitude, lon: longitude, label: label.trim() || 'Home' }, onlineTiles: tiles, history: historyPatch(history) };
    // The backend's own rules (shared/settings.ts): what passes here is what it accepts.
    const refused = settingsProblem(settings, patch);
    if (refused !== null) return setProblem(`${refused}.`);
    onSave(patch);
    dialog.current?.close();
  };

  return (
    <dialog ref={dialog} className="about" aria-labelledby="settings-title" onClose={onClose} onCancel={onClose}>
      <form onSubmit={save} className="settings-form">
        <h2 id="settings-title">Settings</h2>
        <fieldset>
          <legend>Home (where the arcs start)</legend>
          <label>Latitude <input value={lat} onChange={(e) => setLat(e.target.value)} inputMode="decimal" /></label>
          <label>Longitude <input value={lon} onChange={(e) => setLon(e.target.value)} inputMode="decimal" /></label>
          <label>Label <input value={label} onChange={(e) => setLabel(e.target.value)} maxLength={HOME_LABEL_MAX} /></label>
        </fieldset>
        <fieldset>
          <legend>Online map tiles (off by default)</legend>
          <p className="hint">
            With tiles on, the map requests the tiles on screen from this server, which then sees your address.
            Respect the server's usage policy (OpenStreetMap's forbids heavy use and bulk downloads) and give its
            attribution.
          </p>
          <label>
            <input type="checkbox" checked={tiles.enabled} onChange={(e) => setTiles({ ...tiles, enabled: e.target.checked })} />
            Use online tiles
          </label>
          <label>URL template <input value={tiles.url} onChange={(e) => setTiles({ ...tiles, url: e.target.value })}
            placeholder="https://tiles.example.org/{z}/{x}/{y}.png" /></label>
          <label>Attribution <input value={tiles.attribution} onChange={(e) => setTiles({ ...tiles, attribution: e.target.value })}
            placeholder="© OpenStreetMap contributors" /></label>
        </fieldset>
        <HistorySettingsFields draft={history} onChange={setHistory} status={historyFile} />
        {problem !== null && <p role="alert" className="problem">{problem}</p>}
        <div className="dialog-buttons">
          <button type="button" onClick={() => dialog.current?.close()}>Cancel</button>
          <button type="submit">Save</button>
        </div>
      </form>
    </dialog>
  );
}
