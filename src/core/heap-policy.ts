// The engine's process keeps V8's young generation at its starting size (two 1 MiB semi-spaces).
// By default V8 doubles it while many new objects survive, and a burst of new connections is just
// that: after 50,000 opens it had grown to 32 MiB and stayed committed, about 670 bytes of RSS per
// connection, a third of what the engine held per connection (bench/RESULTS.md, "Memory").
// Measured with it (3 runs each): RSS per connection 1.5 KB right after the burst (was 2.2 KB) and
// 0.96 KB after 30 s of traffic (was 2.0 KB). Cost: 15-17 % more CPU on allocation-heavy paths
// (tracker bursts, DNS ingest), from more frequent scavenges; an idle engine allocates nothing.
// V8 reads the growth factor each time it would grow the space, so setting it at run time works in
// node and in Electron's main process alike, where --max-semi-space-size (same effect) would have
// to be on the command line of every launcher.
import { setFlagsFromString } from 'node:v8';

export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
