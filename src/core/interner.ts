// Equal values become one shared, frozen object: thousands of connections to one city, one network
// or from one process then hold references, not copies (measured with 50,000 connections,
// bench/RESULTS.md). Bounded: when full it starts over, which only costs sharing, never correctness.
export class Interner<T extends object> {
  private readonly known = new Map<string, T>();
  constructor(private readonly max: number) {}

  get(value: T | null, key: (value: T) => string): T | null {
    if (value === null) return null;
    const text = key(value);
    const found = this.known.get(text);
    if (found) return found;
    if (this.known.size >= this.max) this.known.clear();
    const frozen = Object.freeze(value);
    this.known.set(text, frozen);
    return frozen;
  }
}
