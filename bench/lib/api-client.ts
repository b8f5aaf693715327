import { apiHeaders, TARGET_PREFIX } from './gatehouse.js';
import { expectStatus, HttpClient } from './http-client.js';

/**
 * Cognito API calls (AWS JSON 1.1 on POST /) over keep-alive connections, for the bench's own driver
 * (lib/drive.ts): of the user-pool service by default, or of another JSON service given its X-Amz-Target
 * prefix (IDENTITY_TARGET_PREFIX). Anything but 200 rejects, which fails the run.
 */
export class ApiClient extends HttpClient {
  constructor(
    url: string,
    connections: number,
    private readonly targetPrefix = TARGET_PREFIX,
  ) {
    super(url, connections);
  }

  async call<T = Record<string, unknown>>(operation: string, input: unknown): Promise<T> {
    const answer = await this.send('POST', '/', apiHeaders(operation, this.targetPrefix), JSON.stringify(input));
    return JSON.parse(expectStatus(answer, 200, operation).text) as T;
  }
}
