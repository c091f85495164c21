// Search and filters over the connection list (and so the map).

import type { FilterChoices } from '../model/filter-choices.js';
import { hasFilters, NO_COUNTRY, NO_FILTERS, type Filters, type ScopeFilter } from '../model/filters.js';
import type { SortOrder } from '../model/grouping.js';
import type { Direction, Proto } from '../../../shared/contract.js';

interface Props {
  filters: Filters;
  choices: FilterChoices;
  order: SortOrder;
  locationLabel: string | null;
  onChange: (filters: Filters) => void;
  onOrder: (order: SortOrder) => void;
}

function Choice<T extends string>(props: {
  label: string;
  value: T | null;
  options: readonly (readonly [T, string])[];
  onChange: (value: T | null) => void;
}) {
  return (
    <label className="choice">
      <span>{props.label}</span>
      <select
        aria-label={props.label}
        value={props.value ?? ''}
        onChange={(e) => props.onChange(e.target.value === '' ? null : (e.target.value as T))}
      >
        <option value="">any</option>
        {props.options.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
      </select>
    </label>
  );
}

const PROTOS = [['tcp', 'TCP'], ['udp', 'UDP']] as const satisfies readonly (readonly [Proto, string])[];
const DIRECTIONS = [['outbound', 'outgoing'], ['inbound', 'incoming']] as const satisfies readonly (readonly [Direction, string])[];
const SCOPES = [['internet', 'internet'], ['local', 'local / LAN'], ['unknown', 'unknown']] as const satisfies readonly (readonly [ScopeFilter, string])[];

export function FilterBar({ filters, choices, order, locationLabel, onChange, onOrder }: Props) {
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  return (
    <div className="filter-bar" role="search">
      <input
        type="search"
        className="search"
        placeholder="Search process, host, address, place, org…"
        aria-label="Search connections"
        value={filters.text}
        onChange={(e) => set({ text: e.target.value })}
      />
      {choices.hosts.length > 0 && (
        <Choice label="Host" value={filters.host} options={choices.hosts.map((h) => [h, h] as const)} onChange={(host) => set({ host })} />
      )}
      <Choice label="Process" value={filters.process} options={choices.processes.map((p) => [p.key, p.label] as const)}
        onChange={(process) => set({ process })} />
      <Choice label="Country" value={filters.country}
        options={choices.countries.map((c) => [c, c === NO_COUNTRY ? 'no location' : c] as const)}
        onChange={(country) => set({ country })} />
      <Choice label="Protocol" value={filters.proto} options={PROTOS} onChange={(proto) => set({ proto })} />
      <Choice label="Direction" value={filters.direction} options={DIRECTIONS} onChange={(direction) => set({ direction })} />
      <Choice label="Scope" value={filters.scope} options={SCOPES} onChange={(scope) => set({ scope })} />
      <label className="choice">
        <span>Sort</span>
        <select aria-label="Sort" value={order} onChange={(e) => onOrder(e.target.value === 'recent' ? 'recent' : 'traffic')}>
          <option value="traffic">by traffic</option>
          <option value="recent">by recency</option>
        </select>
      </label>
      {locationLabel !== null && (
        <button type="button" className="chip" onClick={() => set({ location: null })} aria-label={`Remove place filter ${locationLabel}`}>
          Place: {locationLabel} ✕
        </button>
      )}
      {hasFilters(filters) && <button type="button" onClick={() => onChange(NO_FILTERS)}>Reset filters</button>}
    </div>
  );
}
