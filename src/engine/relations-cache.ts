// What the incremental path derives from an object and from how objects relate (a pod family's
// marks, a finding's candidate with its scope and owning server) is kept by the object's identity and
// stamped with the relations generation it was made under: the pipeline moves the generation when an
// object is created or deleted or its owners, labels or selector change, and a value of an older
// generation is then stale. One mechanism for every such cache, so each says only what it keeps.

export class RelationsCache<K extends object, V> {
  private readonly entries = new WeakMap<K, { at: number; value: V }>();

  /** The value kept for `key` if it was made under the relations of `generation`. */
  current(key: K, generation: number): V | undefined {
    const e = this.entries.get(key);
    return e && e.at === generation ? e.value : undefined;
  }

  /** The value kept for `key`, made under any relations. */
  any(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Keeps `value` for `key`, made (or brought up to date) under the relations of `generation`. */
  set(key: K, generation: number, value: V): V {
    this.entries.set(key, { at: generation, value });
    return value;
  }
}
