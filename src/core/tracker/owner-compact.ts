// Owner records arrive as JSON lines, so every record carries its own copy of its process's
// strings (cgroup path, command line, exe, parents): about 350 bytes per socket at 50,000 sockets
// from a few processes (bench/core-engine.mjs). The owner index holds records for up to 65,536
// sockets; the copies it keeps share those strings instead.
import type { OwnerRecord } from '../../shared/capture.js';

/** Distinct process strings kept; when full it starts over (sharing is lost, nothing else). */
const MAX_SHARED = 4_096;

export class OwnerCompactor {
  private readonly texts = new Map<string, string>();
  private readonly parentLists = new Map<string, OwnerRecord['parents']>();

  private text<T extends string | null | undefined>(value: T): T {
    if (typeof value !== 'string') return value;
    const known = this.texts.get(value);
    if (known !== undefined) return known as T;
    if (this.texts.size >= MAX_SHARED) this.texts.clear();
    this.texts.set(value, value);
    return value;
  }

  private parents(value: OwnerRecord['parents']): OwnerRecord['parents'] {
    if (!Array.isArray(value)) return value;
    const key = JSON.stringify(value);
    const known = this.parentLists.get(key);
    if (known !== undefined) return known;
    if (this.parentLists.size >= MAX_SHARED) this.parentLists.clear();
    this.parentLists.set(key, value);
    return value;
  }

  /** The same record with its process strings (and local address) shared with earlier records. */
  compact(record: OwnerRecord): OwnerRecord {
    const compacted: OwnerRecord = {
      ...record,
      localIp: this.text(record.localIp),
      comm: this.text(record.comm),
      exe: this.text(record.exe),
      cmdline: this.text(record.cmdline),
    };
    if (record.parents !== undefined) compacted.parents = this.parents(record.parents);
    if (record.cgroup !== undefined) compacted.cgroup = this.text(record.cgroup);
    if (record.container !== undefined) compacted.container = this.text(record.container);
    return compacted;
  }
}
