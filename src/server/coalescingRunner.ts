// Runs an async job after a burst of triggers: the first trigger schedules a run `delayMs` later,
// triggers during the wait join it, triggers during a run schedule exactly one more run after it.
// So a thousand file events make one or two runs, never more than one in flight, and a steady
// stream of events still gets a run every `delayMs` + run time (the wait is not pushed back).
export class CoalescingRunner {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly job: () => Promise<void>,
    private readonly delayMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  trigger(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => void this.run(), this.delayMs);
  }

  /** Resolves when no run is pending or in flight. */
  idle(): Promise<void> {
    if (!this.running && !this.timer) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.settle();
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    if (this.closed) return;
    this.running = true;
    try {
      await this.job();
    } catch (e) {
      this.onError(e);
    } finally {
      this.running = false;
    }
    if (this.again && !this.closed) {
      this.again = false;
      this.timer = setTimeout(() => void this.run(), this.delayMs);
      return;
    }
    this.settle();
  }

  private settle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
