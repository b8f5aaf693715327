import { BoundedMap } from '../bounded-map.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/**
 * Parsed settings by row id and version, deep-frozen so that every reader of that version shares one.
 * User pools, identity pools and app clients keep their settings as a JSON document with an
 * optimistic-concurrency version, and are read on nearly every request: parsing a pool's kilobytes again
 * was a fifth of DescribeUserPool's time and a twentieth of GetCredentialsForIdentity's (npm run bench),
 * and a client's is parsed by every sign-in step and token request. The row is still read every time, so
 * a change made by another node is seen at once. Settings are changed by copying, never in place.
 */
export class ParsedSettings<Settings> {
  private readonly parsed = new BoundedMap<string, Settings>(1_000);

  /** The parsed settings of this version of the row, if they were parsed already. */
  known(id: string, version: number): Settings | undefined {
    return this.parsed.get(`${id}:${version}`);
  }

  of(id: string, version: number, text: string): Settings {
    let settings = this.known(id, version);
    if (!settings) {
      settings = deepFreeze(JSON.parse(text) as Settings);
      this.parsed.set(`${id}:${version}`, settings);
    }
    return settings;
  }
}
