// The desktop app's metrics endpoint, following its setting and its capture sessions: the endpoint
// serves the current session's engine, restarts when the setting changes, and stops when disabled.
// Start failures (port in use) are reported, never thrown into the session's path.

import type { Engine } from '../../engine-types.js';
import type { MetricsExporter } from './index.js';
import { parseListenAddress } from '../../../shared/listen-address.js';
import type { Settings } from '../../../shared/settings.js';

type MetricsSetting = NonNullable<Settings['metrics']>;

export class SettingExporter {
  private running: { exporter: MetricsExporter; engine: Engine; key: string } | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly setting: () => MetricsSetting | undefined,
    private readonly onWarning: (message: string) => void,
  ) {}

  /** Serves `engine` if the setting is on (null: no session). Calls are applied in order. */
  use(engine: Engine | null): Promise<void> {
    this.chain = this.chain.then(() => this.apply(engine));
    return this.chain;
  }

  url(): string | null {
    return this.running?.exporter.url ?? null;
  }

  private async apply(engine: Engine | null): Promise<void> {
    const setting = this.setting();
    const key = setting?.enabled ? setting.address : '';
    if (this.running && this.running.engine === engine && this.running.key === key) return;
    await this.running?.exporter.stop();
    this.running = null;
    if (engine === null || !setting?.enabled) return;
    try {
      // Loaded only when enabled: the desktop app does not pay for prom-client otherwise.
      const { startMetricsExporter } = await import('./index.js');
      const exporter = await startMetricsExporter(engine, parseListenAddress(setting.address));
      this.running = { exporter, engine, key };
    } catch (error) {
      this.onWarning(`metrics endpoint ${setting.address} not started: ${(error as Error).message}`);
    }
  }
}
