import { Agent, request } from 'node:http';
import { apiHeaders } from './gatehouse.js';

/**
 * Cognito API calls over keep-alive connections (at most `connections` at once, further calls queue),
 * for the bench's own driver (lib/drive.ts). Anything but 200 rejects, which fails the run, as a
 * non-2xx answer fails an autocannon run.
 */
export class ApiClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(url: string, connections: number) {
    const parsed = new URL(url);
    this.host = parsed.hostname;
    this.port = Number(parsed.port);
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  call<T = Record<string, unknown>>(operation: string, input: unknown): Promise<T> {
    const body = JSON.stringify(input);
    return new Promise((resolve, reject) => {
      const req = request(
        { host: this.host, port: this.port, path: '/', method: 'POST', agent: this.agent, headers: { ...apiHeaders(operation), 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) reject(new Error(`${operation} answered ${res.statusCode}: ${text.slice(0, 500)}`));
            else resolve(JSON.parse(text) as T);
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
