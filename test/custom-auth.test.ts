import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession } from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import { confirmSignIn, fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { sharedInMemoryStorage } from 'aws-amplify/utils';
import { decodeJwt } from 'jose';
import { rejects } from './helpers/assertions.js';
import { memoryStorage } from './helpers/authenticator.js';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

const fn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const CUSTOM = { DefineAuthChallenge: fn('define'), CreateAuthChallenge: fn('create'), VerifyAuthChallengeResponse: fn('verify') };

type Event = { triggerSource: string; userName: string; request: Record<string, any> };
const events: Event[] = ((globalThis as { customAuthEvents?: Event[] }).customAuthEvents = []);

/** amazon-cognito-identity-js's custom flow, callbacks as promises: each step ends in tokens or the next question. */
type Step = { session: CognitoUserSession } | { challenge: Record<string, string> };
function step(start: (callbacks: object) => void): Promise<Step> {
  return new Promise((resolve, reject) =>
    start({ onSuccess: (session: CognitoUserSession) => resolve({ session }), onFailure: reject, customChallenge: (challenge: Record<string, string>) => resolve({ challenge }) }),
  );
}

for (const store of STORES) {
  describe(`custom authentication, CUSTOM_AUTH (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let poolId: string;
    let clientId: string;
    let hidingClientId: string;

    before(async () => {
      const module = fileURLToPath(new URL('./fixtures/custom-auth.mjs', import.meta.url));
      server = await startServer(store.name, { ...FAST_HASHING, lambdaFunctions: { define: { module }, create: { module }, verify: { module } } });
      idp = server.idp();
      poolId = (await idp.send(new CreateUserPoolCommand({ PoolName: 'custom', LambdaConfig: CUSTOM }))).UserPool!.Id!;
      const client = (PreventUserExistenceErrors: 'ENABLED' | 'LEGACY') =>
        idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'], PreventUserExistenceErrors }));
      clientId = (await client('LEGACY')).UserPoolClient!.ClientId!;
      hidingClientId = (await client('ENABLED')).UserPoolClient!.ClientId!;
      for (const Username of ['sky', 'unlucky']) {
        await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS', TemporaryPassword: PASSWORD }));
        await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username, Password: PASSWORD, Permanent: true }));
      }
    });
    after(() => server?.close());

    const start = (ClientId: string, USERNAME: string) => idp.send(new InitiateAuthCommand({ ClientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME } }));
    const answer = (ClientId: string, Session: string | undefined, USERNAME: string, ANSWER: string) =>
      idp.send(new RespondToAuthChallengeCommand({ ClientId, ChallengeName: 'CUSTOM_CHALLENGE', Session, ChallengeResponses: { USERNAME, ANSWER } }));

    it('amazon-cognito-identity-js asks, answers wrong, answers right and gets tokens', async () => {
      const user = new CognitoUser({ Username: 'sky', Pool: new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: `${server.url}/`, Storage: memoryStorage() }) });
      user.setAuthenticationFlowType('CUSTOM_AUTH');
      events.length = 0;
      const first = await step((callbacks) => user.initiateAuth(new AuthenticationDetails({ Username: 'sky' }), callbacks as never));
      assert.ok('challenge' in first);
      assert.deepEqual(first.challenge, { question: 'What colour is the sky?', USERNAME: 'sky' });
      const second = await step((callbacks) => user.sendCustomChallengeAnswer('red', callbacks as never));
      assert.ok('challenge' in second, 'a wrong answer gets another question');
      const done = await step((callbacks) => user.sendCustomChallengeAnswer('blue', callbacks as never));
      assert.ok('session' in done);
      assert.equal(decodeJwt(done.session.getIdToken().getJwtToken())['cognito:username'], 'sky');

      const defines = events.filter((event) => event.triggerSource === 'DefineAuthChallenge_Authentication');
      assert.deepEqual(defines.at(-1)!.request.session, [
        { challengeName: 'CUSTOM_CHALLENGE', challengeResult: false, challengeMetadata: 'QUESTION-1' },
        { challengeName: 'CUSTOM_CHALLENGE', challengeResult: true, challengeMetadata: 'QUESTION-2' },
      ]);
      assert.equal(defines[0]!.request.userNotFound, false);
      assert.equal(defines[0]!.request.userAttributes['cognito:user_status'], 'CONFIRMED');
      const verify = events.find((event) => event.triggerSource === 'VerifyAuthChallengeResponse_Authentication')!;
      assert.deepEqual([verify.request.privateChallengeParameters, verify.request.challengeAnswer], [{ answer: 'blue' }, 'red']);
    });

    it('Amplify v6: signIn with CUSTOM_WITHOUT_SRP, then confirmSignIn with the answer', async () => {
      Amplify.configure({ Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: server.url } } });
      cognitoUserPoolsTokenProvider.setKeyValueStorage(sharedInMemoryStorage);
      const asked = await signIn({ username: 'sky', options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
      assert.equal(asked.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
      assert.equal((asked.nextStep as { additionalInfo?: Record<string, string> }).additionalInfo?.question, 'What colour is the sky?');
      const done = await confirmSignIn({ challengeResponse: 'blue' });
      assert.equal(done.isSignedIn, true);
      assert.equal((await fetchAuthSession()).tokens?.idToken?.payload['cognito:username'], 'sky');
      await signOut();
    });

    it('three wrong answers fail the sign-in, and a session answers once', async () => {
      let { Session } = await start(clientId, 'unlucky');
      const used = Session;
      ({ Session } = await answer(clientId, Session, 'unlucky', 'green'));
      await rejects(answer(clientId, used, 'unlucky', 'blue'), 'NotAuthorizedException', /^Invalid session for the user\.$/);
      ({ Session } = await answer(clientId, Session, 'unlucky', 'grey'));
      await rejects(answer(clientId, Session, 'unlucky', 'black'), 'NotAuthorizedException', /^Incorrect username or password\.$/);
    });

    it('a user that does not exist: UserNotFoundException, or under PreventUserExistenceErrors the same questions and never tokens', async () => {
      await rejects(start(clientId, 'nobody'), 'UserNotFoundException');
      events.length = 0;
      const { ChallengeName, Session, ChallengeParameters } = await start(hidingClientId, 'nobody');
      assert.deepEqual([ChallengeName, ChallengeParameters], ['CUSTOM_CHALLENGE', { question: 'What colour is the sky?', USERNAME: 'nobody' }]);
      assert.equal(events[0]!.request.userNotFound, true);
      await rejects(answer(hidingClientId, Session, 'nobody', 'blue'), 'NotAuthorizedException', /^Incorrect username or password\.$/);
    });

    it('with SRP_A (amazon-cognito-identity-js authenticateUser, Amplify CUSTOM_WITH_SRP): the password by SRP, then the question', async () => {
      const user = new CognitoUser({ Username: 'sky', Pool: new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: `${server.url}/`, Storage: memoryStorage() }) });
      user.setAuthenticationFlowType('CUSTOM_AUTH');
      events.length = 0;
      const wrong = step((callbacks) => user.authenticateUser(new AuthenticationDetails({ Username: 'sky', Password: 'not-the-password' }), callbacks as never));
      await assert.rejects(wrong, (error: Error) => error.name === 'NotAuthorizedException' && error.message === 'Incorrect username or password.');
      const asked = await step((callbacks) => user.authenticateUser(new AuthenticationDetails({ Username: 'sky', Password: PASSWORD }), callbacks as never));
      assert.ok('challenge' in asked, 'after the password, the question');
      const defines = events.filter((event) => event.triggerSource === 'DefineAuthChallenge_Authentication');
      assert.deepEqual(defines.at(-1)!.request.session, [
        { challengeName: 'SRP_A', challengeResult: true },
        { challengeName: 'PASSWORD_VERIFIER', challengeResult: true },
      ]);
      const done = await step((callbacks) => user.sendCustomChallengeAnswer('blue', callbacks as never));
      assert.ok('session' in done);

      Amplify.configure({ Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: server.url } } });
      cognitoUserPoolsTokenProvider.setKeyValueStorage(sharedInMemoryStorage);
      const amplifyAsked = await signIn({ username: 'sky', password: PASSWORD, options: { authFlowType: 'CUSTOM_WITH_SRP' } });
      assert.equal(amplifyAsked.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
      assert.equal((await confirmSignIn({ challengeResponse: 'blue' })).isSignedIn, true);
      await signOut();
    });

    it('needs the three functions and ALLOW_CUSTOM_AUTH', async () => {
      const bare = (await idp.send(new CreateUserPoolCommand({ PoolName: 'no-functions' }))).UserPool!.Id!;
      const bareClient = (await idp.send(new CreateUserPoolClientCommand({ UserPoolId: bare, ClientName: 'app' }))).UserPoolClient!.ClientId!;
      await rejects(start(bareClient, 'sky'), 'InvalidParameterException', /^Custom auth lambda trigger is not configured for the user pool\.$/);
      const noCustom = (await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'srp-only', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'] }))).UserPoolClient!.ClientId!;
      await rejects(start(noCustom, 'sky'), 'InvalidParameterException');
      await rejects(
        idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: 'sky', SRP_A: 'ab', CHALLENGE_NAME: 'PASSWORD_VERIFIER' } })),
        'InvalidParameterException',
        /^CHALLENGE_NAME must be SRP_A\.$/,
      );
    });
  });
}
