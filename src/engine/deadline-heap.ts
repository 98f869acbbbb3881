// The tracker's deadlines (holds, graces and escalations ending), earliest first.

/** A binary min-heap of (time, item). */
export class DeadlineHeap<T> {
  private readonly a: { t: number; item: T }[] = [];

  get size(): number {
    return this.a.length;
  }

  clear(): void {
    this.a.length = 0;
  }

  peek(): { t: number; item: T } | undefined {
    return this.a[0];
  }

  push(t: number, item: T): void {
    const a = this.a;
    let i = a.length;
    a.push({ t, item });
    while (i > 0) {
      const p = (i - 1) >> 1;
      const up = a[p] as { t: number; item: T };
      if (up.t <= t) break;
      a[i] = up;
      i = p;
    }
    a[i] = { t, item };
  }

  pop(): void {
    const a = this.a;
    const last = a.pop();
    if (!last || a.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const c = r < a.length && (a[r] as { t: number }).t < (a[l] as { t: number }).t ? r : l;
      if ((a[c] as { t: number }).t >= last.t) break;
      a[i] = a[c] as { t: number; item: T };
      i = c;
    }
    a[i] = last;
  }
}
