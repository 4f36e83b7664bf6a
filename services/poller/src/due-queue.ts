/**
 * The generations a replica holds, earliest due first: a binary min-heap. An item whose
 * time changed is pushed again; the copy left behind is skipped when it surfaces (its
 * `due` no longer matches, or the item left the replica).
 */
export interface Queued {
  due: number;
  /** False once the replica no longer holds it. */
  held: boolean;
}

export class DueQueue<T extends Queued> {
  readonly #heap: Array<{ due: number; item: T }> = [];

  get size(): number {
    return this.#heap.length;
  }

  push(item: T): void {
    const heap = this.#heap;
    heap.push({ due: item.due, item });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.due <= heap[i]!.due) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  /** The earliest live item, left in place; undefined when none is held. */
  peek(): T | undefined {
    this.#dropStale();
    return this.#heap[0]?.item;
  }

  /** Takes the earliest live item if it is due at `now`. */
  takeDue(now: number): T | undefined {
    const top = this.peek();
    if (!top || top.due > now) return undefined;
    this.#popTop();
    return top;
  }

  #dropStale(): void {
    while (this.#heap.length > 0) {
      const { due, item } = this.#heap[0]!;
      if (item.held && item.due === due) return;
      this.#popTop();
    }
  }

  #popTop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && heap[l]!.due < heap[m]!.due) m = l;
      if (r < heap.length && heap[r]!.due < heap[m]!.due) m = r;
      if (m === i) return;
      [heap[m], heap[i]] = [heap[i]!, heap[m]!];
      i = m;
    }
  }
}
