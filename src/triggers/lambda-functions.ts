import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Config } from '../config.js';

/** Cognito waits five seconds for a trigger's function. */
const TIMEOUT_MS = 5_000;

/** The function ran and failed: it threw, called back with an error, or its URL answered Lambda's error shape. */
export class FunctionFailed extends Error {}
/** The function could not be run: none is configured under that name, its module does not load, it timed out. */
export class FunctionUnavailable extends Error {}

type Handler = (event: unknown, context: Record<string, unknown>, callback: (error?: unknown, result?: unknown) => void) => unknown;

const loaded = new Map<string, Promise<Handler>>();

/** The last part of `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`, or the text itself. */
function functionName(arn: string): string {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts[5] === 'function' && parts[6] ? parts[6] : arn;
}

/**
 * Runs the function `arn` names with `event` and gives back its result, as Lambda's synchronous Invoke
 * would: from `config.lambdaFunctions`, found by the whole ARN or by the function's name.
 */
export async function invokeFunction(functions: Config['lambdaFunctions'], arn: string, event: unknown): Promise<unknown> {
  const name = functionName(arn);
  const target = functions[arn] ?? functions[name];
  if (!target) throw new FunctionUnavailable(`ResourceNotFoundException: no function ${name} is configured (lambdaFunctions)`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FunctionUnavailable(`Task timed out after ${(TIMEOUT_MS / 1000).toFixed(2)} seconds`)), TIMEOUT_MS);
  });
  try {
    const run = 'module' in target ? runModule(target.module, name, event) : postToUrl(target.url, event);
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function loadHandler(path: string): Promise<Handler> {
  let handler = loaded.get(path);
  if (!handler) {
    handler = import(pathToFileURL(path).href).then(
      (module: { handler?: unknown; default?: unknown }) => {
        const found = module.handler ?? (module.default as { handler?: unknown } | undefined)?.handler ?? module.default;
        if (typeof found !== 'function') throw new FunctionUnavailable(`Runtime.HandlerNotFound: ${path} exports no handler`);
        return found as Handler;
      },
      (error: unknown) => {
        throw new FunctionUnavailable(`Runtime.ImportModuleError: ${(error as Error).message}`);
      },
    );
    // A module that failed to load is tried again next time: it may have been fixed since.
    handler.catch(() => loaded.delete(path));
    loaded.set(path, handler);
  }
  return handler;
}

/**
 * Calls the module's handler as Lambda's Node.js runtime does: a promise it returns settles the call, or
 * else the callback (or the legacy `context.done`, `succeed`, `fail`) does. The handler gets its own copy
 * of the event, which it usually changes and returns.
 */
async function runModule(path: string, name: string, event: unknown): Promise<unknown> {
  const handler = await loadHandler(path);
  const deadline = Date.now() + TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (error?: unknown, result?: unknown) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(new FunctionFailed(error instanceof Error ? error.message : String(error)));
      else resolve(result);
    };
    const context = {
      functionName: name,
      awsRequestId: randomUUID(),
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      callbackWaitsForEmptyEventLoop: true,
      done,
      succeed: (result: unknown) => done(undefined, result),
      fail: (error: unknown) => done(error ?? new Error('failed')),
    };
    try {
      const returned = handler(structuredClone(event), context, done) as PromiseLike<unknown> | undefined;
      if (returned && typeof returned.then === 'function') returned.then((result) => done(undefined, result), (error: unknown) => done(error ?? new Error('failed')));
    } catch (error) {
      done(error ?? new Error('failed'));
    }
  });
}

/** POSTs the event as JSON; a 2xx answer's JSON body is the result, Lambda's `{errorMessage}` on another status the failure. */
async function postToUrl(url: string, event: unknown): Promise<unknown> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event), signal: AbortSignal.timeout(TIMEOUT_MS) });
    text = await response.text();
  } catch (error) {
    throw new FunctionUnavailable((error as Error).name === 'TimeoutError' ? 'Socket timeout while invoking Lambda function' : `the function's URL cannot be reached: ${(error as Error).message}`);
  }
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: handed on as text, which no trigger accepts as its output.
  }
  if (response.ok) return body;
  const message = (body as { errorMessage?: unknown } | null)?.errorMessage;
  if (typeof message === 'string') throw new FunctionFailed(message);
  throw new FunctionUnavailable(`the function's URL answered HTTP ${response.status}`);
}
