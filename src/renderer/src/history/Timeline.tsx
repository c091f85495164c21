// The timeline under the map: traffic over the chosen span (hour, day, week, month) as a histogram,
// a brush to select a window (drag across the bars), and "Live" to return to now. The window
// itself lives in the URL fragment (use-time-window.ts).

import { useEffect, useRef, useState, type PointerEvent } from 'react';
import type { SnitchmapApi } from '../../../shared/api.js';
import type { HistoryWindow, Timeline as TimelineData } from '../../../shared/history.js';
import { windowCountText } from './window-count.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SPANS = [
  { label: 'Hour', span: HOUR, step: MINUTE },
  { label: 'Day', span: DAY, step: 15 * MINUTE },
  { label: 'Week', span: 7 * DAY, step: 2 * HOUR },
  { label: 'Month', span: 30 * DAY, step: 6 * HOUR },
] as const;
const WIDTH = 1000;
const HEIGHT = 48;
const REFRESH_MS = 30_000;

function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.toLocaleDateString()} ${d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
}

interface Props {
  api: SnitchmapApi;
  window: HistoryWindow | null;
  onWindow: (window: HistoryWindow | null) => void;
  /** count: connections in the store shown; total: active in the window (more when the answer was cut). */
  status: { loading: boolean; notice: string | null; count: number | null; total: number | null };
}

export function Timeline({ api, window: selected, onWindow, status }: Props) {
  const [spanIndex, setSpanIndex] = useState(1);
  const { span, step } = SPANS[spanIndex] ?? SPANS[1];
  const [end, setEnd] = useState(() => Date.now());
  const [data, setData] = useState<TimelineData | null>(null);
  const [drag, setDrag] = useState<{ a: number; b: number } | null>(null);
  const svg = useRef<SVGSVGElement>(null);

  // A selected window older than the span's reach moves the view to it.
  const viewEnd = selected !== null && (selected.to < end - span || selected.to > end) ? selected.to + span / 10 : end;
  const start = viewEnd - span;

  useEffect(function tick() {
    const timer = setInterval(() => setEnd(Date.now()), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  useEffect(function load() {
    let current = true;
    api.getTimeline({ from: Math.floor(start), to: Math.ceil(viewEnd), stepMs: step }).then(
      (t) => current && setData(t),
      () => current && setData(null),
    );
    return () => {
      current = false;
    };
  }, [api, start, viewEnd, step]);

  const x = (ms: number): number => ((ms - start) / span) * WIDTH;
  const timeAt = (event: PointerEvent<SVGSVGElement>): number => {
    const box = event.currentTarget.getBoundingClientRect();
    const fraction = Math.min(1, Math.max(0, (event.clientX - box.left) / Math.max(1, box.width)));
    return start + fraction * span;
  };
  const max = Math.max(1, ...(data?.bins ?? []).map((b) => b.txBytes + b.rxBytes));
  const shown = drag ? { from: Math.min(drag.a, drag.b), to: Math.max(drag.a, drag.b) } : selected;

  return (
    <section className="timeline" aria-label="Timeline">
      <div className="timeline-bar">
        <button type="button" className={selected === null ? 'active' : ''} aria-pressed={selected === null} onClick={() => onWindow(null)}>
          Live
        </button>
        {SPANS.map((s, i) => (
          <button key={s.label} type="button" className={i === spanIndex ? 'active' : ''} aria-pressed={i === spanIndex} onClick={() => setSpanIndex(i)}>
            {s.label}
          </button>
        ))}
        <span className="timeline-window" data-testid="timeline-window">
          {selected === null ? 'Live: connections now' : `${stamp(selected.from)} – ${stamp(selected.to)}`}
          {selected !== null && status.count !== null && ` · ${windowCountText(status.count, status.total ?? status.count)}`}
          {status.loading && ' · loading…'}
        </span>
        {(status.notice ?? data?.notice) && <span className="timeline-notice" role="status">{status.notice ?? data?.notice}</span>}
      </div>
      <svg
        ref={svg}
        className="timeline-chart"
        data-testid="timeline-chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          const t = timeAt(e);
          setDrag({ a: t, b: t });
        }}
        onPointerMove={(e) => drag && setDrag({ a: drag.a, b: timeAt(e) })}
        onPointerUp={(e) => {
          if (!drag) return;
          const a = Math.min(drag.a, timeAt(e));
          const b = Math.max(drag.a, timeAt(e));
          setDrag(null);
          // A click without a drag selects one bin.
          onWindow(b - a < step / 4 ? { from: Math.floor(a / step) * step, to: Math.floor(a / step) * step + step } : { from: Math.round(a), to: Math.round(b) });
        }}
      >
        {(data?.bins ?? []).map((bin) => {
          const h = ((bin.txBytes + bin.rxBytes) / max) * (HEIGHT - 4);
          return <rect key={bin.t} className="timeline-bin" x={x(bin.t)} y={HEIGHT - Math.max(h, bin.opened > 0 ? 1 : 0)} width={Math.max(1, (step / span) * WIDTH - 1)} height={Math.max(h, bin.opened > 0 ? 1 : 0)} />;
        })}
        {shown && <rect className="timeline-brush" x={x(shown.from)} y={0} width={Math.max(2, x(shown.to) - x(shown.from))} height={HEIGHT} />}
      </svg>
    </section>
  );
}
