// The app → host list (an app row names its processes). Rows have a fixed height and only the visible window is rendered, so
// 20,000 connections cost as much as 40. Keyboard: ↑/↓ move (and select), → / ← expand or
// collapse a process, Enter toggles it (or reveals hidden hosts), Home/End, Escape clears.

import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Selection } from '../model/derive.js';
import type { ProcessGroup } from '../model/grouping.js';
import { flattenGroups, type ListRow } from '../model/list-rows.js';
import { ListRowView } from './ListRowView.js';

export const ROW_HEIGHT = 28;
const OVERSCAN = 6;

interface Props {
  groups: ProcessGroup[];
  /** App icons (data: URLs) by desktop entry id. */
  icons?: ReadonlyMap<string, string>;
  selection: Selection;
  onSelect: (selection: Selection) => void;
}

function selectionOf(row: ListRow): Selection | undefined {
  if (row.kind === 'process') return { kind: 'process', key: row.key };
  if (row.kind === 'host') return { kind: 'host', key: row.key, processKey: row.group.processKey };
  return undefined;
}

function toggle(set: ReadonlySet<string>, key: string): Set<string> {
  const next = new Set(set);
  if (!next.delete(key)) next.add(key);
  return next;
}

export function ConnectionList({ groups, icons, selection, onSelect }: Props) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [showAll, setShowAll] = useState<ReadonlySet<string>>(new Set());
  const [cursor, setCursor] = useState<string | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const viewport = useRef<HTMLDivElement>(null);

  const rows = useMemo(() => flattenGroups(groups, collapsed, showAll), [groups, collapsed, showAll]);
  const activeKey = cursor ?? selection?.key ?? null;
  const activeIndex = activeKey === null ? -1 : rows.findIndex((r) => r.key === activeKey);

  useEffect(function trackViewportHeight() {
    const element = viewport.current;
    if (element === null) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(function keepActiveRowVisible() {
    const element = viewport.current;
    if (element === null || activeIndex < 0) return;
    const top = activeIndex * ROW_HEIGHT;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + ROW_HEIGHT > element.scrollTop + element.clientHeight) {
      element.scrollTop = top + ROW_HEIGHT - element.clientHeight;
    }
  }, [activeIndex]);

  const activate = useCallback((row: ListRow) => {
    setCursor(row.key);
    const next = selectionOf(row);
    if (next !== undefined) onSelect(next);
  }, [onSelect]);

  const open = useCallback((row: ListRow) => {
    if (row.kind === 'process') setCollapsed((c) => toggle(c, row.key));
    if (row.kind === 'more') setShowAll((s) => toggle(s, row.processKey));
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const row = rows[activeIndex];
    let target: number | null = null;
    switch (event.key) {
      case 'ArrowDown': target = Math.min(rows.length - 1, activeIndex + 1); break;
      case 'ArrowUp': target = Math.max(0, activeIndex - 1); break;
      case 'Home': target = 0; break;
      case 'End': target = rows.length - 1; break;
      case 'PageDown': target = Math.min(rows.length - 1, activeIndex + Math.floor(height / ROW_HEIGHT)); break;
      case 'PageUp': target = Math.max(0, activeIndex - Math.floor(height / ROW_HEIGHT)); break;
      case 'Enter': if (row !== undefined) open(row); break;
      case 'ArrowRight': if (row?.kind === 'process' && !row.expanded) open(row); break;
      case 'ArrowLeft': if (row?.kind === 'process' && row.expanded) open(row); break;
      case 'Escape': setCursor(null); onSelect(null); break;
      default: return;
    }
    event.preventDefault();
    const next = target === null ? undefined : rows[target];
    if (next !== undefined) activate(next);
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const visible = rows.slice(first, last);

  return (
    <div
      ref={viewport}
      className="connection-list"
      role="tree"
      aria-label="Connections by process and host"
      tabIndex={0}
      aria-activedescendant={activeIndex >= 0 ? `row-${activeIndex}` : undefined}
      onKeyDown={onKeyDown}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      {rows.length === 0 && <div className="empty">No connections match.</div>}
      <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>
        {visible.map((row, i) => (
          <ListRowView
            key={row.key}
            id={`row-${first + i}`}
            row={row}
            icons={icons}
            top={(first + i) * ROW_HEIGHT}
            active={first + i === activeIndex}
            selected={row.key === selection?.key}
            onClick={() => {
              activate(row);
              if (row.kind === 'more') open(row);
            }}
            onToggle={() => open(row)}
          />
        ))}
      </div>
    </div>
  );
}
