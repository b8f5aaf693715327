import { spawnChild } from './children.js';
import { ROOT, type RunningServer } from './gatehouse.js';
import { HOST } from './net.js';

/** A minimal Fastify app answering POST / with `replyFile`'s JSON (see servers/bare-fastify.mjs). */
export async function startBareFastify(replyFile?: string): Promise<RunningServer> {
  const child = spawnChild('bare fastify', ['bench/servers/bare-fastify.mjs', ...(replyFile ? [replyFile] : [])], { cwd: ROOT });
  try {
    const [, url] = await child.waitForOutput(/listening at (http:\/\/\S+)/);
    return { child, url, stop: () => child.stop() };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** The smallest Node HTTP server there is: the start-up baseline, so the figure carries across machines. */
export function bareNodeHttpArgs(port: number): string[] {
  return ['-e', `require('http').createServer((q,s)=>s.end('ok')).listen(${port}, '${HOST}')`];
}
