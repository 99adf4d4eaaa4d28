import { sleep } from '../../sleep.js';

/** What a response tells about the shop's bucket (`extensions.cost`). */
export interface CostObservation {
  /** `actualQueryCost` (0 for a THROTTLED answer, which costs nothing). */
  actual?: number;
  /** `throttleStatus.currentlyAvailable` after this query. */
  available?: number;
  /** `throttleStatus.maximumAvailable`. */
  capacity?: number;
  /** `throttleStatus.restoreRate`, points per second. */
  restorePerSecond?: number;
}

/**
 * The cost-point budget of one shop (the shape of the engine's RateBudget):
 * `take` reserves a query's requested cost before it is sent, `settle` hands
 * back what the shop did not charge and adopts the shop's own figures.
 */
export interface CostBudget {
  take(units: number, signal?: AbortSignal): Promise<void>;
  settle?(reserved: number, observed: CostObservation): Promise<void>;
  pause(ms: number): Promise<void>;
}

/**
 * An in-process token bucket per shop, used when the engine gives the adapter
 * no shared budget (adapter tests, tools). It starts from Shopify's smallest
 * plan (1,000 points, 50/s) and learns the shop's figures from each answer.
 */
export class LocalCostBudget implements CostBudget {
  private level: number;
  private capacity: number;
  private restore: number;
  private at = Date.now();
  private pausedUntil = 0;
  /** Reserved by requests still in flight (the shop's `currentlyAvailable` does not know them yet). */
  private inFlight = 0;

  constructor(capacity = 1000, restorePerSecond = 50) {
    this.capacity = capacity;
    this.level = capacity;
    this.restore = restorePerSecond;
  }

  async take(units: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      this.refill();
      const pause = this.pausedUntil - Date.now();
      const need = Math.min(units, this.capacity);
      if (pause <= 0 && this.level >= need) {
        this.level -= need;
        this.inFlight += need;
        return;
      }
      const waitMs = Math.max(pause, ((need - this.level) / this.restore) * 1000);
      await sleep(Math.max(1, Math.ceil(waitMs)), signal);
    }
  }

  async settle(reserved: number, observed: CostObservation): Promise<void> {
    this.refill();
    const held = Math.min(reserved, this.capacity);
    this.inFlight = Math.max(0, this.inFlight - held);
    if (observed.capacity) this.capacity = observed.capacity;
    if (observed.restorePerSecond) this.restore = observed.restorePerSecond;
    if (observed.available !== undefined) {
      this.level = Math.max(0, observed.available - this.inFlight);
    } else {
      this.level = Math.min(this.capacity, this.level + held - (observed.actual ?? held));
    }
  }

  async pause(ms: number): Promise<void> {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  private refill(): void {
    const now = Date.now();
    this.level = Math.min(this.capacity, this.level + ((now - this.at) / 1000) * this.restore);
    this.at = now;
  }
}

const localBudgets = new Map<string, LocalCostBudget>();

/** One in-process budget per shop URL, shared by every adapter of this process. */
export function localBudgetFor(shopUrl: string): LocalCostBudget {
  let budget = localBudgets.get(shopUrl);
  if (!budget) {
    budget = new LocalCostBudget();
    localBudgets.set(shopUrl, budget);
  }
  return budget;
}
