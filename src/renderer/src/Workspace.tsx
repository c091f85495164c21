// The main screen: banner, filter bar, map, connection list, details, status bar.

import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Settings, SnitchmapApi } from '../../shared/api.js';
import type { HistoryFilter } from '../../shared/history.js';
import { MapView } from './map/MapView.js';
import type { ConnectionStore } from './model/connection-store.js';
import { keepPicked, type ProcessChoice } from './model/filter-choices.js';
import { deriveView, type Selection } from './model/derive.js';
import { NO_FILTERS, type Filters } from './model/filters.js';
import { mapOrigins } from './model/origins.js';
import type { SortOrder } from './model/grouping.js';
import { AboutDialog } from './panels/AboutDialog.js';
import { BannerBar } from './panels/BannerBar.js';
import { ConnectionList } from './panels/ConnectionList.js';
import { DetailsPanel } from './panels/DetailsPanel.js';
import { FilterBar } from './panels/FilterBar.js';
import { FleetHosts } from './panels/FleetHosts.js';
import { SettingsDialog } from './panels/SettingsDialog.js';
import { historyFilterOf } from './history/history-filter.js';
import { useHistoryFile } from './history/use-history-file.js';
import { StatusBar } from './panels/StatusBar.js';
import { useStoreState } from './use-connection-store.js';

const OFFLINE_TILES: Settings['onlineTiles'] = { enabled: false, url: '', attribution: '' };

interface Props {
  api: SnitchmapApi;
  store: ConnectionStore;
  below?: ReactNode;
  /** Told the filters a past window's request should carry (history/history-filter.ts). */
  onHistoryFilter?: (filter: HistoryFilter) => void;
}

export function Workspace({ api, store, below, onHistoryFilter }: Props) {
  const state = useStoreState(store);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // The picked Process menu entry (key, label, process name), kept from when it was picked: a past
  // window filtered by the backend may no longer hold the group, and its request must not change.
  const [pickedProcess, setPickedProcess] = useState<ProcessChoice | null>(null);
  const [order, setOrder] = useState<SortOrder>('traffic');
  const [selection, setSelection] = useState<Selection>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [aboutOpen, setAboutOpen] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const historyFile = useHistoryFile(api, settingsOpen);
  const [actionError, setActionError] = useState<string | null>(null);

  useEffect(function loadSettings() {
    let live = true;
    api.getSettings().then((s) => live && setSettings(s), (e: unknown) => live && setActionError(String(e)));
    return () => {
      live = false;
    };
  }, [api]);

  const view = useMemo(
    () => deriveView(state.connections.values(), state.batch, filters, order, selection),
    [state, filters, order, selection],
  );
  const home = settings?.home ?? state.hello.home;
  // Fleet mode: every host can be picked, one with no entries (down) too, as in the Hosts panel.
  const choices = useMemo(() => keepPicked(state.fleet === null ? state.choices : {
    ...state.choices,
    hosts: [...new Set([...state.choices.hosts, ...state.fleet.hosts.map((h) => h.instance)])].sort(),
  }, filters.process === null ? null : pickedProcess, filters.country), [state.choices, state.fleet, filters.process, filters.country, pickedProcess]);
  useEffect(function askHistory() {
    onHistoryFilter?.(historyFilterOf(filters.country, filters.process === null ? null : (pickedProcess?.name ?? null)));
  }, [onHistoryFilter, filters.country, filters.process, pickedProcess]);
  const changeFilters = useCallback((next: Filters) => {
    if (next.process !== filters.process) {
      setPickedProcess(next.process === null ? null : (choices.processes.find((p) => p.key === next.process) ?? null));
    }
    setFilters(next);
  }, [filters.process, choices.processes]);
  const origins = useMemo(() => mapOrigins(state.fleet, home, filters.host), [state.fleet, home, filters.host]);
  const flowData = useMemo(
    () => ({ locations: view.locations, origins, selectedLocation: filters.location }),
    [view.locations, origins, filters.location],
  );

  const run = useCallback((action: () => Promise<unknown>) => {
    setActionError(null);
    action().catch((e: unknown) => setActionError(e instanceof Error ? e.message : String(e)));
  }, []);
  const pickLocation = useCallback((key: string) => {
    setFilters((f) => ({ ...f, location: f.location === key ? null : key }));
  }, []);
  const setHome = useCallback((lat: number, lon: number) => {
    run(() => api.updateSettings({ home: { lat, lon, label: 'Home' } }).then(setSettings));
  }, [api, run]);
  const saveSettings = useCallback((patch: Partial<Settings>) => {
    run(() => api.updateSettings(patch).then(setSettings));
  }, [api, run]);
  const pickHost = useCallback((host: string) => {
    setFilters((f) => ({ ...f, host: f.host === host ? null : host }));
  }, []);
  const locationLabel = filters.location === null
    ? null
    : (view.locations.find((l) => l.key === filters.location)?.label ?? filters.location);

  return (
    <div className="workspace">
      <BannerBar banner={state.status.banner} onRetry={() => run(() => api.retryCapture())} />
      {actionError !== null && <div className="banner banner-error" role="alert">{actionError}</div>}
      <FilterBar
        filters={filters}
        choices={choices}
        order={order}
        locationLabel={locationLabel}
        onChange={changeFilters}
        onOrder={setOrder}
      />
      <main className="body">
        <MapView data={flowData} tiles={settings?.onlineTiles ?? OFFLINE_TILES} onPickLocation={pickLocation} onSetHome={setHome} />
        <aside className="side">
          {state.fleet !== null && <FleetHosts fleet={state.fleet} selected={filters.host} onPick={pickHost} />}
          <ConnectionList groups={view.groups} icons={state.appIcons} selection={selection} onSelect={setSelection} />
          <DetailsPanel groups={view.groups} icons={state.appIcons} selection={selection} />
        </aside>
      </main>
      {below}
      <StatusBar
        state={state}
        listed={view.listed.length}
        onPause={() => run(() => api.pause())}
        onResume={() => run(() => api.resume())}
        onClear={() => run(() => api.clear())}
        onAbout={() => setAboutOpen(true)}
        onSettings={settings === null ? null : () => setSettingsOpen(true)}
      />
      {settingsOpen && settings !== null && (
        <SettingsDialog settings={settings} fallbackHome={state.hello.home} onSave={saveSettings}
          onClose={() => setSettingsOpen(false)} historyFile={historyFile} />
      )}
      {aboutOpen && <AboutDialog hello={state.hello} onClose={() => setAboutOpen(false)} />}
    </div>
  );
}
