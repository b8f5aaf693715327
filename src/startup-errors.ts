/**
 * A start-up failure the operator can act on: a database that cannot be reached or refuses the
 * connection, a data folder that cannot be made, a port already taken. The command line reports it in
 * one line, without a stack; any other failure keeps its stack, since that one is Gatehouse's to fix.
 */
export class StartupError extends Error {}

/** Errors of the network, whatever the client: the address does not resolve, nobody listens, no route. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

/**
 * PostgreSQL's refusals, by SQLSTATE: class 08 (connection exception), class 28 (invalid authorization:
 * an unknown role, a wrong password), 3D000 (no such database), 42501 (no privilege to create the tables).
 */
const REFUSED = /^(08|28)|^3D000$|^42501$/;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `error` as a StartupError when it says the database at `location` cannot be used; unchanged otherwise. */
export function databaseStartupError(error: unknown, location: string): unknown {
  const code = codeOf(error);
  if (code === undefined || !(UNREACHABLE.has(code) || REFUSED.test(code))) return error;
  return new StartupError(`cannot use the database at ${location} (DATABASE_URL): ${(error as Error).message}`);
}

/** `error` as a StartupError when the address to listen on is taken or not allowed; unchanged otherwise. */
export function listenStartupError(error: unknown, host: string, port: number): unknown {
  const code = codeOf(error);
  if (code === 'EADDRINUSE') return new StartupError(`cannot listen on ${host}:${port}: the port is in use (choose another with --port)`);
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') return new StartupError(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
  return error;
}
