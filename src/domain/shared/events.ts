/** A fact recorded by an entity mutator; the application publishes it after the save succeeds. */
export interface DomainEvent<T extends string = string, P = Record<string, unknown>> {
  readonly type: T;
  readonly occurredAt: Date;
  readonly payload: P;
}

/** Base for aggregates that record events. */
export abstract class AggregateRoot {
  #events: DomainEvent[] = [];

  protected record(event: DomainEvent): void {
    this.#events.push(event);
  }

  /** Returns and clears the events recorded since the last call. */
  pullEvents(): DomainEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }
}
