/** Storage-level outcomes the domain turns into Cognito errors. */
export class DuplicateKeyError extends Error {}

/** Another writer changed the row between our read and our write, too many times in a row. */
export class WriteConflictError extends Error {}

/** True for a primary-key or unique violation on SQLite or PostgreSQL. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export async function rethrowDuplicate<T>(write: Promise<T>, message: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error)) throw new DuplicateKeyError(message);
    throw error;
  }
}

/**
 * Read-modify-write with optimistic concurrency: `write` must only succeed if the row still has the
 * version that `read` saw, so two concurrent updates never silently lose one of them.
 */
export async function updateOptimistically<Row extends { version: number }>(
  read: () => Promise<Row | undefined>,
  write: (before: Row) => Promise<boolean>,
): Promise<Row | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = await read();
    if (!before) return undefined;
    if (await write(before)) return before;
  }
  throw new WriteConflictError('the row kept changing while it was being updated');
}
