import { randomBytes } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { CodeDeliveryDetailsType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../context.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { CodeDeliveryFailureException } from '../userpools/errors.js';

export interface OutgoingMessage {
  medium: 'EMAIL' | 'SMS';
  /** An email address or an E.164 phone number. */
  destination: string;
  subject?: string;
  body: string;
}

const transports = new Map<string, Transporter>();

let lastMs = 0;
let sequence = 0;

/**
 * A UUIDv7-style id that increases with every message this process keeps: the development mailbox lists
 * messages newest first by time and then by id, so two messages of the same millisecond (or of a frozen
 * test clock) still come in the order they were sent, not in the order of random ids.
 */
function messageId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    sequence++;
    if (sequence > 0xfff) {
      ms = ++lastMs;
      sequence = 0;
    }
  } else {
    sequence = 0;
  }
  lastMs = ms;
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * nodemailer is loaded with the first email sent over SMTP, not at start-up: most installations (every
 * development one) send none, and loading it added about 11 MB to idle memory and 0.2 s of CPU to
 * start-up (npm run bench -- idle startup).
 */
let nodemailer: Promise<typeof import('nodemailer')> | undefined;

async function smtpTransport(url: string): Promise<Transporter> {
  let transport = transports.get(url);
  if (!transport) {
    const { createTransport } = await (nodemailer ??= import('nodemailer'));
    // Another message may have made it while the module loaded.
    transport = transports.get(url) ?? createTransport(url);
    transports.set(url, transport);
  }
  return transport;
}

/**
 * Sends a message the way the installation is set up: email over SMTP, SMS to the webhook. In
 * development mode every message is also kept in the development mailbox (GET /_dev/messages) and
 * logged, so a developer or a test can read a code without mail infrastructure. In production a
 * message with no way to go is a CodeDeliveryFailureException, never silently dropped.
 */
export async function deliver(ctx: ServiceContext, pool: StoredUserPool, message: OutgoingMessage): Promise<void> {
  const development = ctx.config.mode === 'development';
  if (development) {
    await ctx.repos.devMessages.add({ poolId: pool.id, messageId: messageId(), createdAt: ctx.now(), ...message, recipient: message.destination });
    ctx.log.info({ poolId: pool.id, medium: message.medium, to: message.destination }, 'message kept in the development mailbox');
  }
  try {
    if (message.medium === 'EMAIL' && ctx.config.smtpUrl) {
      await (await smtpTransport(ctx.config.smtpUrl)).sendMail({
        from: pool.settings.userPool.EmailConfiguration?.From ?? ctx.config.emailFrom,
        ...(pool.settings.userPool.EmailConfiguration?.ReplyToEmailAddress && { replyTo: pool.settings.userPool.EmailConfiguration.ReplyToEmailAddress }),
        to: message.destination,
        subject: message.subject ?? '',
        text: message.body,
      });
      return;
    }
    if (message.medium === 'SMS' && ctx.config.smsWebhookUrl) {
      const response = await fetch(ctx.config.smsWebhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: message.destination, message: message.body, poolId: pool.id }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`SMS webhook answered ${response.status}`);
      return;
    }
  } catch (error) {
    ctx.log.warn({ err: error, poolId: pool.id, medium: message.medium }, 'message delivery failed');
    throw new CodeDeliveryFailureException(`Unable to deliver the ${message.medium === 'EMAIL' ? 'email' : 'SMS'} message.`);
  }
  if (!development) {
    throw new CodeDeliveryFailureException(`No ${message.medium === 'EMAIL' ? 'SMTP server' : 'SMS webhook'} is configured to deliver the message.`);
  }
}

/** `j***@e***` and `+*******1234`, as Cognito masks destinations in CodeDeliveryDetails. */
export function maskDestination(medium: 'EMAIL' | 'SMS', destination: string): string {
  if (medium === 'EMAIL') {
    const [local, domain = ''] = destination.split('@');
    return `${local.charAt(0)}***@${domain.charAt(0)}***`;
  }
  return `+${'*'.repeat(Math.max(destination.length - 5, 0))}${destination.slice(-4)}`;
}

export function deliveryDetails(message: OutgoingMessage): CodeDeliveryDetailsType {
  return {
    Destination: maskDestination(message.medium, message.destination),
    DeliveryMedium: message.medium,
    AttributeName: message.medium === 'EMAIL' ? 'email' : 'phone_number',
  };
}

/** Fills Cognito's placeholders: {####} the code or temporary password, {username} the username. */
export function renderTemplate(template: string, values: { code: string; username?: string }): string {
  return template.replaceAll('{####}', values.code).replaceAll('{username}', values.username ?? '');
}
