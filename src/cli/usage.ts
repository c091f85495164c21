// --help texts. The /proc fallback's blind spots are stated here as well as in the hello.

const CAPTURE = `Capture:
  As root, snitchmap loads eBPF programs through its helper: every connection, its process, the
  name it was looked up by, byte counts. Only the helper keeps root: the rest runs as the user who
  ran sudo or pkexec (or nobody), with that user's config dir. As a normal user it falls back to
  polling /proc, which:
    - misses connections that open and close between two polls (about 1 s),
    - cannot attribute other users' processes,
    - has no byte or packet counts and no DNS names.
  --sudo  (as a user) run the eBPF helper through 'sudo -n' (run 'sudo -v' first); falls back to
          /proc if sudo refuses.`;

const LOCATION = `  --locations FILE  JSON array of {"cidr","label","lat","lon"}: your own places (longest prefix wins)
  --geoip FILE      a MaxMind GeoLite2/GeoIP2 City or DB-IP City .mmdb (default: bundled DB-IP Lite)
  --home LAT,LON    where this machine is (default: guessed offline from the time zone)
  --history FILE    keep every connection in this SQLite file
                    (default: $XDG_STATE_HOME/snitchmap/history.sqlite, ~/.local/state/...)
  --no-history      keep nothing`;

const EXPORT = `  --metrics [ADDR:]PORT  serve Prometheus metrics at http://ADDR:PORT/metrics (text or OpenMetrics);
                         ADDR defaults to 127.0.0.1, PORT 0 picks a free one (the URL goes to stderr)
  --metrics-max-processes N  distinct 'process' label values, the rest counted as 'other' (default 100)
  --otlp URL        send each connection's open and close as an OpenTelemetry log record over
                    OTLP/HTTP (protobuf) to URL, e.g. http://collector:4318/v1/logs; records that
                    cannot be sent are dropped and counted, capture never waits`;

export const MAIN_USAGE = `Usage: snitchmap [command] [options]

Every connection this computer makes or accepts: process, host name, location.

Commands:
  watch    print connections as they happen (one line each, or NDJSON with --json)
  serve    serve the map UI on 127.0.0.1 for a browser
  history  list the connections kept in the history (what talked to where, and when)
  (none)   the desktop window; without Electron, runs 'serve'

Options:
  -h, --help       help (also 'snitchmap watch --help')
  -V, --version    print the version

${CAPTURE}
`;

export const WATCH_USAGE = `Usage: snitchmap watch [--json] [--duration SEC] [--count N] [options]

Prints every connection event. With --json: one JSON object per line, the watch --json contract
version 1 (hello first, then connection events, then periodic stats).

  --json            NDJSON instead of human lines
  --duration SEC    exit after SEC seconds
  --count N         exit after N connection events
${LOCATION}
${EXPORT}
  --sudo            see Capture below

Exits 0 at the end of --duration/--count or on Ctrl-C; 2 on a usage error; 1 if capture fails.

${CAPTURE}
`;

export const SERVE_USAGE = `Usage: snitchmap serve [--port N] [options]

Serves the map UI on http://127.0.0.1:PORT only. The first line of output is the URL to open; it
carries a random token that every request needs (kept in a cookie after the first page).

  --port N          port to listen on (default: any free port)
${LOCATION}
${EXPORT}
  --fleet URL       draw every host a Prometheus server at URL scrapes (snitchmap --metrics
                    targets, one per 'instance') instead of this machine; no capture is started
  --fleet-homes FILE  with --fleet: JSON array of {"instance","label","lat","lon"}, where hosts
                    are (else a home="LAT,LON[,LABEL]" target label, else the host's own --home)
  --sudo            see Capture below

${CAPTURE}
`;

export const HISTORY_USAGE = `Usage: snitchmap history [--since WHEN] [--until WHEN] [--process NAME] [--country CC] [--json]

Lists the connections active between --since and --until, from the history that watch, serve and
the desktop app keep (30 days by default). Reads only; works while they run.

  --history FILE    the history file (default: $XDG_STATE_HOME/snitchmap/history.sqlite)
  --since WHEN      start of the window (default: 24h)
  --until WHEN      end of the window (default: now)
                    WHEN: a duration before now (90s, 15m, 2h, 7d, 1w) or an ISO 8601 time
                    (2026-01-31, 2026-01-31T08:00Z; without an offset, local time)
  --process NAME    only this process (its kernel name, as watch shows it)
  --country CC      only this country (ISO 3166 two letters)
  --json            one JSON object per line: the watch --json contract's connection fields,
                    "event" its last state in the window, plus firstSeen, lastSeen (ms since the
                    epoch), windowTxBytes/windowRxBytes (bytes in the window), newHost/newCountry

Without --json: one line per connection, then totals per process and per country.
Exits 0 on success, 1 when the file is missing or unreadable, 2 on a usage error.
`;
