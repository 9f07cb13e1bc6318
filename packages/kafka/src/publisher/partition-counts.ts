/**
 * Partition counts of topics, looked up (or the topic created) once per topic and shared by
 * concurrent callers; a failed lookup is dropped, so the next caller tries again rather than
 * getting the cached failure.
 */
export class PartitionCounts {
  private readonly counts = new Map<string, Promise<number>>();
  private readonly lookUp: (topic: string) => Promise<number>;

  constructor(lookUp: (topic: string) => Promise<number>) {
    this.lookUp = lookUp;
  }

  of(topic: string): Promise<number> {
    let count = this.counts.get(topic);
    if (!count) {
      count = this.lookUp(topic);
      count.catch(() => this.counts.delete(topic));
      this.counts.set(topic, count);
    }
    return count;
  }
}
