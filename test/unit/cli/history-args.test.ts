// `snitchmap history` arguments and --history/--no-history on watch and serve.
import { describe, expect, it } from 'vitest';
import { UsageError, parseArgs, parseTimeArg } from '../../../src/cli/args.js';

const NOW = Date.UTC(2026, 5, 15, 12, 0, 0);

function usageError(argv: string[]): string {
  try {
    parseArgs(argv, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('history arguments', () => {
  it('defaults to the last 24 h and takes durations, ISO times, filters and --json', () => {
    expect(parseArgs(['history'], NOW)).toEqual({ kind: 'history', options: { since: NOW - 86_400_000, until: NOW, json: false } });
    expect(parseArgs(['history', '--since', '90s', '--until=2026-06-15T11:59:00Z', '--process', 'curl', '--country', 'fr', '--json', '--history', '/tmp/h.sqlite'], NOW)).toEqual({
      kind: 'history',
      options: { since: NOW - 90_000, until: NOW - 60_000, process: 'curl', country: 'FR', json: true, history: '/tmp/h.sqlite' },
    });
    expect(parseTimeArg('since', '2h', NOW)).toBe(NOW - 7_200_000);
    expect(parseTimeArg('since', '1w', NOW)).toBe(NOW - 604_800_000);
    expect(parseTimeArg('since', '2026-06-01', NOW)).toBe(Date.UTC(2026, 5, 1));
    expect(parseTimeArg('since', '2026-06-01T08:00+02:00', NOW)).toBe(Date.UTC(2026, 5, 1, 6));
    expect(parseArgs(['history', '--help'], NOW)).toEqual({ kind: 'help', topic: 'history' });
  });

  it('refuses bad times, countries, an inverted window and engine options', () => {
    expect(usageError(['history', '--since', 'yesterday'])).toMatch(/--since wants a duration .* or an ISO 8601 time/);
    expect(usageError(['history', '--until', '2026-13-45T99:00Z'])).toMatch(/--until wants/);
    expect(usageError(['history', '--since', '1h', '--until', '2h'])).toMatch(/--since must be before --until/);
    expect(usageError(['history', '--country', 'France'])).toMatch(/two-letter/);
    expect(usageError(['history', '--sudo'])).toMatch(/unknown option '--sudo' for history/);
    expect(usageError(['history', '--no-history'])).toMatch(/unknown option/);
  });

  it('--history FILE and --no-history on watch and serve, not both', () => {
    expect(parseArgs(['watch', '--history', 'h.sqlite'], NOW)).toEqual({ kind: 'watch', options: { json: false, sudo: false, history: 'h.sqlite' } });
    expect(parseArgs(['serve', '--no-history'], NOW)).toEqual({ kind: 'serve', options: { port: 0, sudo: false, history: null } });
    expect(usageError(['watch', '--history', 'h', '--no-history'])).toMatch(/exclude each other/);
    expect(usageError(['serve', '--history='])).toMatch(/needs a value|wants a file name/);
    expect(usageError(['watch', '--no-history=yes'])).toMatch(/takes no value/);
  });
});
