/** The listeners of a user-data store's change log, in this process (both backends use it). */
export class ChangeListeners {
  private readonly listeners = new Set<() => void>();

  add(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** listeners only wake consumers: one that throws must not turn a stored message into a failed write */
  notify(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        /* the consumer's own poll picks the change up */
      }
    }
  }
}
