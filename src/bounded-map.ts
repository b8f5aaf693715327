/**
 * A Map that holds at most `limit` entries: setting a new key past it drops the oldest one first. For the
 * in-memory caches that must stay bounded whatever keys requests bring (statements, read answers, opened
 * secrets, verified tokens); none needs more than insertion order.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.size >= this.limit && !this.has(key)) this.delete(this.keys().next().value!);
    return super.set(key, value);
  }
}
