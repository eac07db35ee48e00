import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long work on one file may hold the event loop before it lets other events in. */
const TURN_MS = 2;

/**
 * Lets the event loop take a turn once TURN_MS have passed since the last one. Work on a file calls it between rows:
 * a count of rows would hold the loop for as long as its slowest rows take (an invalid number costs libphonenumber
 * several times a valid one), a clock holds it for TURN_MS whatever the rows.
 */
export class EventLoopTurns {
  private since = performance.now();

  /** Resolves at once while the turn lasts; otherwise after the event loop has run what waits. */
  async take(): Promise<void> {
    if (performance.now() - this.since < TURN_MS) return;
    await nextTurn();
    this.since = performance.now();
  }
}
