import { Agent, request, type IncomingHttpHeaders } from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * Plain HTTP over keep-alive connections (at most `connections` at once, further requests queue), for the
 * bench's own driver (lib/drive.ts): Cognito API calls (lib/api-client.ts) and the hosted-UI pages and
 * OAuth endpoints (lib/hosted-ui-client.ts). Redirects are answers like any other, never followed.
 */
export class HttpClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(url: string, connections: number) {
    const parsed = new URL(url);
    this.host = parsed.hostname;
    this.port = Number(parsed.port);
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  send(method: 'GET' | 'POST', path: string, headers: Record<string, string> = {}, body?: string): Promise<HttpAnswer> {
    const allHeaders = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    return new Promise((resolve, reject) => {
      const req = request({ host: this.host, port: this.port, path, method, agent: this.agent, headers: allHeaders }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The answer if it has the expected status; otherwise an error that fails the run, as a non-2xx fails an autocannon run. */
export function expectStatus(answer: HttpAnswer, status: number, what: string): HttpAnswer {
  if (answer.status !== status) throw new Error(`${what} answered ${answer.status} (expected ${status}): ${answer.text.slice(0, 500)}`);
  return answer;
}
