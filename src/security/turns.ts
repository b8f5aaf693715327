/**
 * At most `size` tasks run at once; the others wait their turn, first come first served. For work that
 * competes for the CPU's caches rather than for time, where running more at once than there are cores
 * only makes each one slower (argon2, in password-store.ts).
 */
export class Turns {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private size: number | undefined;

  /** `size` is asked on first use, so it reflects the process's CPU affinity once it is set. */
  constructor(private readonly sizeOf: () => number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    this.size ??= Math.max(1, this.sizeOf());
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      // The turn passes straight to the next in line, so `running` never drops and rises again in between.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
