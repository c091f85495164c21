import { describe, expect, it } from 'vitest';
import { processMatches } from '../../../src/core/apps/process-match.js';
import type { ProcessInfo } from '../../../src/shared/contract.js';

const base: ProcessInfo = { pid: 7, name: 'firefox-bin', exe: '/app/lib/firefox/firefox-bin', cmdline: null, uid: 1000, user: 'u' };

describe('processMatches (history --process)', () => {
  it('matches process names and executable file names, case-insensitively', () => {
    expect(processMatches(base, 'FIREFOX')).toBe(true);
    expect(processMatches({ ...base, name: 'http', exe: '/usr/lib/apt/methods/http' }, 'http')).toBe(true);
    expect(processMatches(base, 'methods')).toBe(false);
  });

  it('matches app ids, display names, units and container ids', () => {
    const flatpak = { ...base, app: { kind: 'flatpak' as const, id: 'org.mozilla.firefox', name: 'Firefox Web Browser', desktop: 'org.mozilla.firefox' } };
    expect(processMatches(flatpak, 'web browser')).toBe(true);
    expect(processMatches(flatpak, 'org.mozilla')).toBe(true);
    const service = { ...base, name: 'http', exe: null, app: { kind: 'systemd' as const, id: 'apt-daily.service', unit: 'apt-daily.service' } };
    expect(processMatches(service, 'apt-daily')).toBe(true);
    const container = { ...base, name: 'curl', app: { kind: 'container' as const, id: 'a3f9c2e1b4d5', runtime: 'docker' } };
    expect(processMatches(container, 'a3f9c2')).toBe(true);
    expect(processMatches(container, 'nginx')).toBe(false);
  });

  it('treats an empty query as everything and names unattributed traffic', () => {
    expect(processMatches(null, ' ')).toBe(true);
    expect(processMatches(null, 'unattributed')).toBe(true);
    expect(processMatches(null, 'curl')).toBe(false);
  });
});
