// A small deterministic fuzzer: seeded PRNG, generators and mutators for text and bytes, and a
// runner bounded by both a case count and a time budget. Failures print the seed and case index,
// so a run is reproducible (the seed is fixed; FUZZ_SEED overrides it for longer local runs).

export type Random = () => number;

/** mulberry32: tiny, fast, good enough to spread inputs; not for anything secret. */
export function seeded(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed12);

export const int = (random: Random, below: number): number => Math.floor(random() * below);
export const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)] as T;

/** Strings and values that break naive parsers: separators, huge or odd numbers, deep nesting, prototype keys. */
export const NASTY = [
  '', ' ', '\n', '\r\n', '\u0000', '\u2028', '\u2029', '\u0085', '\u202e', '\ufeff', '\ud800', '"', '\\', '{', '}', '[', ']', ',', ':',
  'null', 'true', '-0', '1e309', '-1e309', 'NaN', '9007199254740993', '0x10', '"__proto__"', '"constructor"', '"toString"',
  '{"__proto__":{"polluted":1}}', '[]', '{}', '[{}]', '"'.repeat(3), 'x'.repeat(5000), '['.repeat(3000), '{"a":'.repeat(2000),
];

function randomText(random: Random, max: number): string {
  const length = int(random, max);
  let text = '';
  for (let i = 0; i < length; i++) {
    const roll = random();
    text += roll < 0.6 ? String.fromCharCode(32 + int(random, 95)) : roll < 0.8 ? pick(random, NASTY) : String.fromCharCode(int(random, 0x10000));
  }
  return text;
}

/** A mutated copy of one of `corpus`, or random text now and then. */
export function mutateText(random: Random, corpus: readonly string[]): string {
  if (random() < 0.15) return randomText(random, 200);
  let text = pick(random, corpus);
  for (let round = 1 + int(random, 4); round > 0; round--) {
    const at = int(random, text.length + 1);
    const roll = random();
    if (roll < 0.3) text = text.slice(0, at) + pick(random, NASTY) + text.slice(at);
    else if (roll < 0.5) text = text.slice(0, at) + text.slice(at + 1 + int(random, 8));
    else if (roll < 0.7) text = text.slice(0, at) + String.fromCharCode(int(random, 0x10000)) + text.slice(at + 1);
    else if (roll < 0.85) text = text.slice(0, at) + pick(random, corpus).slice(int(random, 40)) + text.slice(at);
    else text = text.replace(/\d+/, String(pick(random, [0, -1, 2 ** 53, 2 ** 31, 1e308, 0.5])));
  }
  return text;
}

/** A mutated copy of one of `corpus` (bit flips, byte edits, splices), or random bytes now and then. */
export function mutateBytes(random: Random, corpus: readonly Buffer[]): Buffer {
  if (random() < 0.15) return Buffer.from(Array.from({ length: int(random, 600) }, () => int(random, 256)));
  const bytes = [...pick(random, corpus)];
  for (let round = 1 + int(random, 6); round > 0; round--) {
    const at = int(random, bytes.length + 1);
    const roll = random();
    if (roll < 0.4 && bytes.length > 0) bytes[at % bytes.length] = (bytes[at % bytes.length] ?? 0) ^ (1 << int(random, 8));
    else if (roll < 0.55) bytes.splice(at, 0, pick(random, [0, 0xff, 0xc0, 0x3f, 0x80]));
    else if (roll < 0.7) bytes.splice(at, 1 + int(random, 16));
    else if (roll < 0.85) bytes.splice(at, 0, ...pick(random, corpus).subarray(int(random, 32), int(random, 64)));
    else bytes.length = Math.min(bytes.length, at);
  }
  return Buffer.from(bytes);
}

export interface FuzzReport {
  cases: number;
  /** CPU time (this process) of the costliest case: wall time would count other processes' load. */
  slowestMs: number;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Runs `check` on generated inputs: at least `minCases`, then until `cases` ran or `budgetMs`
 * passed (so a loaded machine runs fewer, never too few). A throw fails with the seed and case
 * index; the costliest case is reported so that a caller can assert nothing stalls.
 */
export async function fuzz<T>(
  name: string,
  options: { seed?: number; cases: number; minCases?: number; budgetMs: number },
  generate: (random: Random) => T,
  check: (input: T) => void | Promise<void>,
): Promise<FuzzReport> {
  const seed = options.seed ?? SEED;
  const random = seeded(seed);
  const started = performance.now();
  let slowestMs = 0;
  let cases = 0;
  const minCases = options.minCases ?? 500;
  while (cases < options.cases && (cases < minCases || performance.now() - started < options.budgetMs)) {
    const input = generate(random);
    const before = cpuMs();
    try {
      await check(input);
    } catch (error) {
      const shown = typeof input === 'string' ? JSON.stringify(input.slice(0, 300)) : Buffer.isBuffer(input) ? input.toString('hex').slice(0, 600) : JSON.stringify(input)?.slice(0, 300);
      throw new Error(`${name}: case ${cases} (seed ${seed}) threw ${(error as Error).stack ?? String(error)}\ninput: ${shown}`, { cause: error });
    }
    slowestMs = Math.max(slowestMs, cpuMs() - before);
    cases++;
  }
  return { cases, slowestMs };
}
