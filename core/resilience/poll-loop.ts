// A background loop for pollers (outbox dispatcher, inbox processor): run a round; when it
// found nothing to do, sleep `pollMs` or until kicked. Errors are reported, never fatal.

export class PollLoop {
  private running = false;
  private done: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    /** One round of work; returns how many items it handled. */
    private readonly round: () => Promise<number>,
    private readonly pollMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = (async () => {
      while (this.running) {
        let handled = 0;
        try {
          handled = await this.round();
        } catch (err) {
          this.onError(err);
        }
        if (handled === 0 && this.running) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.pollMs);
            this.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wake = undefined;
        }
      }
    })();
  }

  /** Ends the sleep early (new work was just recorded). */
  kick(): void {
    this.wake?.();
  }

  /** Stops after the round in progress. */
  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    await this.done;
  }
}
