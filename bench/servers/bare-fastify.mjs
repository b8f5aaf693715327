// The throughput and memory baseline: the least a Fastify app can do to answer the same request.
// Plain JavaScript on purpose, so it runs in plain `node` like dist/cli.js, without the tsx loader that
// would add to its memory and start-up.
//
//   node bench/servers/bare-fastify.mjs [reply.json]
//
// POST / parses the JSON body (the x-amz-json-1.1 content type included) and answers with the object in
// reply.json, serialised per request, so it does the same parse-and-stringify work on a body of the
// same size as Gatehouse's answer, and nothing else.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const reply = process.argv[2] ? JSON.parse(readFileSync(process.argv[2], 'utf8')) : { ok: true };
const app = Fastify({ logger: false });
app.addContentTypeParser('application/x-amz-json-1.1', { parseAs: 'string' }, app.getDefaultJsonParser('ignore', 'ignore'));
app.post('/', async () => reply);
app.get('/ready', async () => ({ status: 'ready' }));

const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`bare fastify listening at ${url}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
