// Details of the selected app (its processes, parents, unit or container) or host: identity, remote
// ends, counters, rates and times.

import { formatAgo, formatBytes, formatEndpoint, formatRate, formatTime } from '../model/format.js';
import { selectedConnections, type Selection } from '../model/derive.js';
import type { ProcessGroup, Totals } from '../model/grouping.js';
import type { ConnectionView } from '../model/connection-view.js';
import type { ProcessInfo } from '../../../shared/contract.js';
import { appDescription, appName } from '../model/app-label.js';

/** Processes listed for an app; its totals cover all of them. */
const PROCESSES_SHOWN = 12;

function ProcessItem({ process }: { process: ProcessInfo }) {
  const chain = (process.parents ?? []).map((parent) => `${parent.name} (${parent.pid})`).join(' ← ');
  return (
    <li className="process-item">
      <div className="process-title">{`${process.name} (pid ${process.pid})`}</div>
      {chain !== '' && <div className="connection-meta">{`started by ${chain}`}</div>}
      {process.exe !== null && <div className="connection-meta">{process.exe}</div>}
    </li>
  );
}

/** Connections listed individually in the panel; the totals above cover all of them. */
const CONNECTIONS_SHOWN = 30;

function Field({ name, value }: { name: string; value: string | number | null | undefined }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{value === null || value === undefined || value === '' ? '—' : String(value)}</dd>
    </>
  );
}

function TotalsFields({ totals }: { totals: Totals }) {
  return (
    <>
      <Field name="Connections" value={`${totals.connections} (${totals.open} open)`} />
      <Field name="Sent" value={formatBytes(totals.txBytes)} />
      <Field name="Received" value={formatBytes(totals.rxBytes)} />
      <Field name="Rate" value={formatRate(totals.rate)} />
      <Field name="Last activity" value={`${formatTime(totals.lastSeen)} (${formatAgo(totals.lastSeen, Date.now())})`} />
    </>
  );
}

function ConnectionItem({ view }: { view: ConnectionView }) {
  const { event } = view;
  const r = event.remote;
  const place = r.geo === null ? r.scope : [r.geo.city, r.geo.country].filter(Boolean).join(', ');
  return (
    <li className="connection-item">
      <div className="connection-endpoint">
        {`${event.proto.toUpperCase()} ${event.direction === 'outbound' ? '→' : '←'} ${formatEndpoint(r.ip, r.port)}`}
        {view.closedAt !== null ? ' (closed)' : ''}
      </div>
      <div className="connection-meta">
        {`${place}${r.asn === null ? '' : ` · AS${r.asn.number} ${r.asn.org}`}`}
      </div>
      <div className="connection-meta">
        {`↑ ${formatBytes(event.txBytes)} (${formatRate(view.txRate)}) ↓ ${formatBytes(event.rxBytes)} (${formatRate(view.rxRate)})`}
        {` · ${event.txPackets}/${event.rxPackets} pkts · since ${formatTime(view.firstSeen)}`}
        {view.closedAt !== null ? ` · closed ${formatTime(view.closedAt)}` : ''}
        {` · local ${formatEndpoint(event.local.ip, event.local.port)}`}
      </div>
    </li>
  );
}

export function DetailsPanel({ groups, icons, selection }: { groups: ProcessGroup[]; icons?: ReadonlyMap<string, string>; selection: Selection }) {
  const views = selectedConnections(groups, selection);
  if (selection === null || views === null) {
    return <section className="details" aria-label="Details"><p className="hint">Select a process or host to see details. Click a place on the map to list only its connections.</p></section>;
  }
  const group = groups.find((g) => g.key === (selection.kind === 'process' ? selection.key : selection.processKey));
  if (group === undefined) {
    return <section className="details" aria-label="Details"><p className="hint">The selection is no longer listed.</p></section>;
  }
  const host = selection.kind === 'host' ? group.hosts.find((h) => h.key === selection.key) : undefined;
  const p = group.process;
  const remote = host?.connectionViews[0]?.event.remote;
  const addresses = host === undefined ? [] : [...new Set(host.connectionViews.map((v) => v.event.remote.ip))];
  const ports = host === undefined ? [] : [...new Set(host.connectionViews.map((v) => v.event.remote.port))];
  return (
    <section className="details" aria-label="Details">
      <h2>
        {p?.app?.desktop !== undefined && icons?.get(p.app.desktop) !== undefined && (
          <img className="app-icon" src={icons.get(p.app.desktop)} alt="" width={24} height={24} />
        )}
        {p === null ? 'Unattributed traffic' : appName(p)}
      </h2>
      <dl>
        {p === null ? (
          <Field name="Process" value="the capture could not tell which process owns these connections" />
        ) : (
          <>
            <Field name="App" value={appDescription(p.app)} />
            <Field name="PID" value={p.pid} />
            <Field name="Executable" value={p.exe} />
            <Field name="Command line" value={p.cmdline} />
            <Field name="User" value={p.user === null ? `uid ${p.uid}` : `${p.user} (uid ${p.uid})`} />
            <Field name="Parents" value={(p.parents ?? []).map((parent) => `${parent.name} (${parent.pid})`).join(' ← ')} />
            <Field name="cgroup" value={p.cgroup} />
            {p.netns !== undefined && <Field name="Network namespace" value={p.netns} />}
          </>
        )}
        {host === undefined && <TotalsFields totals={group} />}
      </dl>
      {host === undefined && group.processes.length > 1 && (
        <>
          <h3>{`Processes (${group.processes.length})`}</h3>
          <ul className="process-items">
            {group.processes.slice(0, PROCESSES_SHOWN).map((q) => <ProcessItem key={q.pid} process={q} />)}
          </ul>
        </>
      )}
      {host !== undefined && remote !== undefined && (
        <>
          <h3>{host.host}</h3>
          <dl>
            <Field name="Host name" value={remote.host} />
            <Field name="Address" value={addresses.join(', ')} />
            <Field name="Port" value={ports.join(', ')} />
            <Field name="Scope" value={remote.scope} />
            <Field name="Network" value={remote.asn === null ? null : `AS${remote.asn.number} ${remote.asn.org}`} />
            <Field name="Place" value={remote.geo === null ? 'unknown' : [remote.geo.city, remote.geo.country].filter(Boolean).join(', ')} />
            <TotalsFields totals={host} />
          </dl>
        </>
      )}
      <h3>{`Connections${views.length > CONNECTIONS_SHOWN ? ` (first ${CONNECTIONS_SHOWN} of ${views.length})` : ''}`}</h3>
      <ul className="connection-items">
        {views.slice(0, CONNECTIONS_SHOWN).map((view) => <ConnectionItem key={view.event.id} view={view} />)}
      </ul>
    </section>
  );
}
