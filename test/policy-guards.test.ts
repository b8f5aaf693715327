/**
 * Requests the S3 action mapping lets through where AWS (S3 + IAM) would refuse them. Each test states the
 * action AWS documents for the request and checks that the role's policy, which does not grant that
 * action, does not allow it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, parsePolicy } from '../src/authorizer/policy/index.js';
import type { AuthorizerRequest } from '../src/authorizer/decision.js';
import { s3AccessChecks } from '../src/authorizer/s3-actions.js';

function allowed(policy: object, request: Partial<AuthorizerRequest> & { method: string; url: string }): boolean {
  const checks = s3AccessChecks({ headers: {}, ...request });
  if (checks === undefined) return false; // refused: not a request the mapping knows
  return checks.every(
    (check) => evaluate([parsePolicy(policy, { kind: 'identity' })], { action: check.action, resource: check.resource, context: check.context ?? {} }).decision === 'Allow',
  );
}

const policy = (statement: object) => ({ Version: '2012-10-17', Statement: [statement] });

describe('S3 bucket sub-resources are not ListBucket / CreateBucket / DeleteBucket', () => {
  const listOnly = policy({ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: 'arn:aws:s3:::photos' });
  const createOnly = policy({ Effect: 'Allow', Action: ['s3:CreateBucket'], Resource: 'arn:aws:s3:::photos' });
  const deleteOnly = policy({ Effect: 'Allow', Action: ['s3:DeleteBucket'], Resource: 'arn:aws:s3:::photos' });

  it('GET ?lifecycle needs s3:GetLifecycleConfiguration, not s3:ListBucket', () => {
    assert.equal(allowed(listOnly, { method: 'GET', url: '/photos?lifecycle' }), false);
  });
  it('GET ?encryption needs s3:GetEncryptionConfiguration, not s3:ListBucket', () => {
    assert.equal(allowed(listOnly, { method: 'GET', url: '/photos?encryption' }), false);
  });
  it('PUT ?lifecycle needs s3:PutLifecycleConfiguration, not s3:CreateBucket', () => {
    assert.equal(allowed(createOnly, { method: 'PUT', url: '/photos?lifecycle' }), false);
  });
  it('PUT ?publicAccessBlock needs s3:PutBucketPublicAccessBlock, not s3:CreateBucket', () => {
    assert.equal(allowed(createOnly, { method: 'PUT', url: '/photos?publicAccessBlock' }), false);
  });
  it('DELETE ?website needs s3:DeleteBucketWebsite, not s3:DeleteBucket', () => {
    assert.equal(allowed(deleteOnly, { method: 'DELETE', url: '/photos?website' }), false);
  });
});

describe('S3 sub-resources on a specific object version need the …Version… action', () => {
  const currentOnly = policy({
    Effect: 'Allow',
    Action: ['s3:GetObjectAcl', 's3:PutObjectAcl', 's3:GetObjectTagging', 's3:PutObjectTagging', 's3:DeleteObjectTagging'],
    Resource: 'arn:aws:s3:::photos/*',
  });

  it('GET ?acl&versionId needs s3:GetObjectVersionAcl', () => {
    assert.equal(allowed(currentOnly, { method: 'GET', url: '/photos/a.jpg?acl&versionId=v1' }), false);
  });
  it('PUT ?acl&versionId needs s3:PutObjectVersionAcl', () => {
    assert.equal(allowed(currentOnly, { method: 'PUT', url: '/photos/a.jpg?acl&versionId=v1' }), false);
  });
  it('GET ?tagging&versionId needs s3:GetObjectVersionTagging', () => {
    assert.equal(allowed(currentOnly, { method: 'GET', url: '/photos/a.jpg?tagging&versionId=v1' }), false);
  });
  it('PUT ?tagging&versionId needs s3:PutObjectVersionTagging', () => {
    assert.equal(allowed(currentOnly, { method: 'PUT', url: '/photos/a.jpg?tagging&versionId=v1' }), false);
  });
  it('DELETE ?tagging&versionId needs s3:DeleteObjectVersionTagging', () => {
    assert.equal(allowed(currentOnly, { method: 'DELETE', url: '/photos/a.jpg?tagging&versionId=v1' }), false);
  });
});

describe('an empty leading path segment does not turn an object read into ListAllMyBuckets', () => {
  it('GET //photos/bob/secret.jpg is not s3:ListAllMyBuckets', () => {
    const listBuckets = policy({ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' });
    assert.equal(allowed(listBuckets, { method: 'GET', url: '//photos/bob/secret.jpg' }), false);
  });
});
