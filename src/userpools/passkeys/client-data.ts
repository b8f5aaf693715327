import { InvalidParameterException } from '../../protocol/errors.js';
import { WebAuthnRelyingPartyMismatchException } from '../errors.js';

/** What the browser signed about a ceremony: which challenge, and the origin it ran at. */
export interface ClientData {
  /** base64url, as in the options handed out. */
  challenge: string;
  origin: string;
}

/**
 * A RegistrationResponseJSON or AuthenticationResponseJSON as an SDK sends it (a JSON document, or the
 * string of one in a challenge response): its id and clientDataJSON read, so the challenge and origin can
 * be judged before any signature is; anything else is InvalidParameterException naming `what`.
 */
export function readCredential<T extends { id: string; response: { clientDataJSON: string } }>(value: unknown, what: string): { credential: T; clientData: ClientData } {
  let parsed = value;
  try {
    if (typeof value === 'string') parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const credential = parsed as T | undefined;
  const clientDataJSON = credential?.response?.clientDataJSON;
  if (typeof credential?.id !== 'string' || typeof clientDataJSON !== 'string') throw new InvalidParameterException(`${what} is not a ${credentialKind(what)} from a passkey provider.`);
  try {
    const { challenge, origin } = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as Partial<ClientData>;
    if (typeof challenge === 'string' && typeof origin === 'string') return { credential, clientData: { challenge, origin } };
  } catch {
    // refused below
  }
  throw new InvalidParameterException(`The clientDataJSON of ${what} cannot be read.`);
}

const credentialKind = (what: string) => (what === 'Credential' ? 'RegistrationResponseJSON' : 'AuthenticationResponseJSON');

/**
 * Runs @simplewebauthn's verification, which throws on any flaw: a credential made for another relying
 * party is Cognito's WebAuthnRelyingPartyMismatchException, any other flaw `refusal`.
 */
export async function verified<T>(verify: () => Promise<T>, refusal: (reason: string) => Error): Promise<T> {
  try {
    return await verify();
  } catch (error) {
    if (error instanceof Error && error.name === 'UnexpectedRPIDHash') {
      throw new WebAuthnRelyingPartyMismatchException('The passkey was made for another relying party than this user pool\'s.');
    }
    throw refusal(error instanceof Error ? error.message : String(error));
  }
}
