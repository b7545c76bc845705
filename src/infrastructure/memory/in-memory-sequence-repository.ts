import type { SequenceRepository } from '../../application/ports/repositories.js';

export class InMemorySequenceRepository implements SequenceRepository {
  readonly #counters = new Map<string, number>();

  async next(key: string): Promise<number> {
    const value = (this.#counters.get(key) ?? 0) + 1;
    this.#counters.set(key, value);
    return value;
  }
}
