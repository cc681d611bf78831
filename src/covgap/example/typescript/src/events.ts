/** An in-memory log of lifecycle events with listeners. */

export type Listener = (name: string, data: Record<string, unknown>) => void;

export class EventEmitterLog {
  readonly entries: Array<[string, Record<string, unknown>]> = [];
  readonly counts = new Map<string, number>();
  private readonly listeners: Listener[] = [];

  constructor(private readonly capacity = 1000) {
    if (capacity <= 0) throw new RangeError("capacity must be positive");
  }

  on(listener: Listener): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  emit(name: string, data: Record<string, unknown> = {}): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    this.entries.push([name, data]);
    if (this.entries.length > this.capacity) this.entries.shift();
    for (const listener of [...this.listeners]) {
      try {
        listener(name, data);
      } catch {
        this.counts.set("listener.error", (this.counts.get("listener.error") ?? 0) + 1);
      }
    }
  }

  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }
}
