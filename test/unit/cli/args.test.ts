import { describe, expect, it } from 'vitest';
import { UsageError, parseArgs } from '../../../src/cli/args.js';

function usageError(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('CLI arguments', () => {
  it('parses watch options in both --opt value and --opt=value forms', () => {
    expect(parseArgs(['watch', '--json', '--duration', '2.5', '--count=3', '--locations', 'l.json', '--geoip=g.mmdb', '--home', '48.85,2.35'])).toEqual({
      kind: 'watch',
      options: { json: true, duration: 2.5, count: 3, locations: 'l.json', geoip: 'g.mmdb', home: { lat: 48.85, lon: 2.35 }, sudo: false },
    });
    expect(parseArgs(['watch'])).toEqual({ kind: 'watch', options: { json: false, sudo: false } });
  });

  it('parses serve, help, version and the no-argument default', () => {
    expect(parseArgs(['serve', '--port', '8080', '--sudo'])).toEqual({ kind: 'serve', options: { port: 8080, sudo: true } });
    expect(parseArgs(['serve'])).toEqual({ kind: 'serve', options: { port: 0, sudo: false } });
    expect(parseArgs([])).toEqual({ kind: 'default' });
    expect(parseArgs(['--help'])).toEqual({ kind: 'help', topic: 'main' });
    expect(parseArgs(['watch', '--help'])).toEqual({ kind: 'help', topic: 'watch' });
    expect(parseArgs(['serve', '-h'])).toEqual({ kind: 'help', topic: 'serve' });
    expect(parseArgs(['--version'])).toEqual({ kind: 'version' });
  });

  it('rejects unknown commands and options, missing values and bad numbers', () => {
    expect(usageError(['frobnicate'])).toMatch(/unknown command 'frobnicate'/);
    expect(usageError(['watch', '--jsn'])).toMatch(/unknown option '--jsn'/);
    expect(usageError(['watch', '--port', '1'])).toMatch(/unknown option '--port' for watch/);
    expect(usageError(['watch', '--duration'])).toMatch(/--duration needs a value/);
    expect(usageError(['watch', '--duration', '--json'])).toMatch(/needs a value/);
    expect(usageError(['watch', '--duration', '-1'])).toMatch(/positive number/);
    expect(usageError(['watch', '--count', '1.5'])).toMatch(/positive integer/);
    expect(usageError(['watch', '--count', 'x'])).toMatch(/positive integer/);
    expect(usageError(['watch', '--json=yes'])).toMatch(/takes no value/);
    expect(usageError(['watch', 'extra'])).toMatch(/unexpected argument/);
    expect(usageError(['serve', '--port', '70000'])).toMatch(/--port wants 0-65535/);
    expect(usageError(['serve', '--port', 'abc'])).toMatch(/--port/);
    expect(usageError(['serve', '--port='])).toMatch(/--port/);
  });

  it('validates --home', () => {
    expect(usageError(['watch', '--home', '91,0'])).toMatch(/--home/);
    expect(usageError(['watch', '--home', '0,181'])).toMatch(/--home/);
    expect(usageError(['watch', '--home', 'paris'])).toMatch(/--home/);
    expect(parseArgs(['watch', '--home', '-33.9, 151.2'])).toMatchObject({ options: { home: { lat: -33.9, lon: 151.2 } } });
  });
});

describe('exporter options', () => {
  it('parses --metrics, --metrics-max-processes, --otlp and --fleet', () => {
    expect(parseArgs(['watch', '--metrics', '9464', '--metrics-max-processes=20', '--otlp', 'http://127.0.0.1:4318/v1/logs'])).toMatchObject({
      kind: 'watch',
      options: { metrics: { host: '127.0.0.1', port: 9464 }, metricsMaxProcesses: 20, otlp: 'http://127.0.0.1:4318/v1/logs' },
    });
    expect(parseArgs(['serve', '--metrics=0.0.0.0:1'])).toMatchObject({ kind: 'serve', options: { metrics: { host: '0.0.0.0', port: 1 } } });
    expect(parseArgs(['serve', '--fleet', 'http://prom:9090'])).toMatchObject({ kind: 'serve', options: { fleet: 'http://prom:9090/' } });
    expect(parseArgs(['serve', '--fleet', 'http://prom:9090', '--fleet-homes', 'homes.json'])).toMatchObject({ kind: 'serve', options: { fleetHomes: 'homes.json' } });
  });

  it('rejects bad exporter values', () => {
    expect(usageError(['watch', '--metrics', 'nope'])).toMatch(/--metrics wants PORT/);
    expect(usageError(['watch', '--metrics-max-processes', '5'])).toMatch(/needs --metrics/);
    expect(usageError(['watch', '--metrics', '1', '--metrics-max-processes', '0'])).toMatch(/positive integer/);
    expect(usageError(['watch', '--otlp', 'file:///etc/passwd'])).toMatch(/--otlp wants an http/);
    expect(usageError(['watch', '--fleet', 'http://x'])).toMatch(/unknown option '--fleet' for watch/);
    expect(usageError(['serve', '--fleet', 'not a url'])).toMatch(/--fleet wants an http/);
    expect(usageError(['serve', '--fleet', 'http://p:9090', '--metrics', '1'])).toMatch(/--fleet starts no capture/);
    expect(usageError(['serve', '--fleet-homes', 'homes.json'])).toMatch(/--fleet-homes needs --fleet/);
    expect(usageError(['watch', '--fleet-homes', 'homes.json'])).toMatch(/unknown option '--fleet-homes' for watch/);
  });
});
