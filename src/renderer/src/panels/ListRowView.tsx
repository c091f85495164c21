// One row of the connection list. Everything shown is text (React text nodes).

import { formatAgo, formatBytes, formatRate } from '../model/format.js';
import type { ListRow } from '../model/list-rows.js';
import { appName } from '../model/app-label.js';

interface Props {
  id: string;
  row: ListRow;
  icons?: ReadonlyMap<string, string>;
  top: number;
  active: boolean;
  selected: boolean;
  onClick: () => void;
  onToggle: () => void;
}

export function ListRowView({ id, row, icons, top, active, selected, onClick, onToggle }: Props) {
  const className = `row row-${row.kind}${active ? ' row-active' : ''}${selected ? ' row-selected' : ''}`;
  const style = { top };
  if (row.kind === 'more') {
    return (
      <div id={id} role="treeitem" aria-level={2} className={className} style={style} onClick={onClick}>
        <span className="row-name">{`… ${row.hidden} more host${row.hidden === 1 ? '' : 's'}`}</span>
      </div>
    );
  }
  const now = Date.now();
  const g = row.group;
  const closed = g.open === 0;
  if (row.kind === 'process') {
    const p = row.group.process;
    const desktop = p?.app?.desktop;
    const icon = desktop === undefined ? undefined : icons?.get(desktop);
    const processes = row.group.processes;
    // One process: its pid, as before apps; several: how many, their names in the tooltip.
    const meta = p === null ? '' : processes.length <= 1 ? `pid ${p.pid}` : `${processes.length} processes`;
    return (
      <div id={id} role="treeitem" aria-level={1} aria-expanded={row.expanded} aria-selected={selected}
        className={className} style={style} onClick={onClick} data-process={row.key}>
        <button type="button" tabIndex={-1} className="twisty" aria-label={row.expanded ? 'Collapse' : 'Expand'}
          onClick={(e) => { e.stopPropagation(); onToggle(); }}>{row.expanded ? '▾' : '▸'}</button>
        {icon !== undefined ? <img className="app-icon" src={icon} alt="" width={16} height={16} /> : <span className="app-icon app-icon-none" aria-hidden="true" />}
        <span className="row-name process-name" title={processes.map((q) => `${q.name} (${q.pid})`).join(', ')}>{appName(p)}</span>
        <span className="row-meta">{row.group.instance !== undefined ? `on ${row.group.instance}` : meta}</span>
        <span className="row-meta">{`${row.group.hosts.length} host${row.group.hosts.length === 1 ? '' : 's'}`}</span>
        <span className="row-bytes">{formatBytes(g.txBytes + g.rxBytes)}</span>
        <span className="row-rate">{formatRate(g.rate)}</span>
      </div>
    );
  }
  const first = row.group.connectionViews[0]?.event.remote;
  return (
    <div id={id} role="treeitem" aria-level={2} aria-selected={selected} className={className} style={style}
      onClick={onClick} data-host={row.group.host}>
      <span className={`state-mark ${closed ? 'state-closed' : 'state-open'}`} aria-label={closed ? 'closed' : 'open'}>
        {closed ? '○' : '●'}
      </span>
      <span className="row-name host-name">{row.group.host}</span>
      {isFirstSeen(row.group.connectionViews) && <span className="row-new" title="First time this process reached this host or country">new</span>}
      <span className="row-meta">{first?.geo?.country ?? (first?.scope === 'internet' ? '??' : first?.scope ?? '')}</span>
      <span className="row-bytes">{formatBytes(g.txBytes + g.rxBytes)}</span>
      <span className="row-rate">{closed ? formatAgo(g.lastSeen, now) : formatRate(g.rate)}</span>
    </div>
  );
}

/** Connections from the history carry newHost/newCountry (src/shared/history.ts); live ones do not. */
function isFirstSeen(views: ReadonlyArray<{ event: object }>): boolean {
  return views.some(({ event }) => ('newHost' in event && event.newHost === true) || ('newCountry' in event && event.newCountry === true));
}
