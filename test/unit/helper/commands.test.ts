import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/helper/commands.js';
import { LineReader } from '../../../src/common/line-reader.js';

describe('helper commands', () => {
  it('accepts exactly the allow-list', () => {
    expect(parseCommand('{"cmd":"pause"}')).toEqual({ ok: true, command: { cmd: 'pause' } });
    expect(parseCommand('{"cmd":"ping","id":3}')).toEqual({ ok: true, command: { cmd: 'ping', id: 3 } });
    for (const bad of ['', 'pause', '{"cmd":"exec"}', '{"cmd":"pause","file":"/x"}', '{"cmd":"ping","id":1.5}', 'null', '"pause"']) {
      expect(parseCommand(bad).ok, bad).toBe(false);
    }
  });

  it('keeps untrusted text out of error messages beyond a short printable preview', () => {
    const parsed = parseCommand(`\u001b[31m${'z'.repeat(500)}`);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).not.toContain('\u001b');
    expect(parsed.reason.length).toBeLessThan(100);
  });

  it('splits lines across chunks and reports each oversized line once', () => {
    const lines: string[] = [];
    const tooLong: number[] = [];
    const reader = new LineReader(10, { line: (l) => lines.push(l), tooLong: (n) => tooLong.push(n) });
    reader.push(Buffer.from('ab'));
    reader.push(Buffer.from('c\r\n\n0123456789ABC'));
    reader.push(Buffer.from('DEF\nok\n'));
    expect(lines).toEqual(['abc', 'ok']);
    expect(tooLong).toEqual([16]);
  });
});
