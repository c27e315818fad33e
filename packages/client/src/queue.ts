/** A FIFO with O(1) push, shift and drop-oldest (an array with a moving head, compacted now and then). */
export class Deque<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    (this.items as Array<T | undefined>)[this.head] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes and returns up to `n` items from the front, stopping early when `fits(item)` says no (never for the first). */
  take(n: number, fits?: (item: T) => boolean): T[] {
    const out: T[] = [];
    while (out.length < n && this.length > 0) {
      if (out.length > 0 && fits && !fits(this.items[this.head]!)) break;
      out.push(this.shift()!);
    }
    return out;
  }

  /** Removes everything and returns it in order. */
  drain(): T[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }
}
