/**
 * How long one check of SQLite's `PRAGMA data_version` vouches for the cached reads (prepared-query.ts).
 * Outside a transaction the pragma is a read transaction of its own: two fcntl locks, about 1.8 µs warm and
 * several times that on a cold cache, paid once per cached read (4-5 of them in a
 * GetCredentialsForIdentity). A check is reused until the next request arrives or the event loop's turn
 * ends, whichever is first:
 *
 * - a request that arrives after the check may have been sent because of a commit made after it (another
 *   worker on the same file answered the client first), so its reads check again: every cached answer a
 *   request gets is current as of that request's arrival, or later;
 * - the end of the turn bounds it for work no request starts (timers).
 *
 * This process's own writes are counted separately and exactly (database.ts), so they never wait for either.
 */
let epoch = 0;
let turnEnding = false;

function endTurn(): void {
  turnEnding = false;
  epoch++;
}

/** Called as each request arrives, before anything reads for it. */
export function requestArrived(): void {
  epoch++;
}

/** `read` at most once per epoch. */
export function onceAnEpoch(read: () => number): () => number {
  let checkedIn = -1;
  let value = 0;
  return () => {
    if (checkedIn !== epoch) {
      value = read();
      checkedIn = epoch;
      if (!turnEnding) {
        turnEnding = true;
        setImmediate(endTurn);
      }
    }
    return value;
  };
}
