import type { Db } from './database.js';

export interface DevMessage {
  poolId: string;
  messageId: string;
  medium: 'EMAIL' | 'SMS';
  recipient: string;
  subject?: string;
  body: string;
  createdAt: Date;
}

/** The development mailbox: kept in the database, so every node of a test setup sees the same messages. */
export class DevMessagesRepository {
  constructor(private readonly db: Db) {}

  async add(message: DevMessage): Promise<void> {
    await this.db
      .insertInto('dev_messages')
      .values({
        pool_id: message.poolId,
        message_id: message.messageId,
        medium: message.medium,
        recipient: message.recipient,
        subject: message.subject ?? null,
        body: message.body,
        created_at: message.createdAt.getTime(),
      })
      .execute();
  }

  /** Newest first, optionally for one recipient (and pool). */
  async list(options: { recipient?: string; poolId?: string; limit: number }): Promise<DevMessage[]> {
    let query = this.db.selectFrom('dev_messages').selectAll();
    if (options.recipient !== undefined) query = query.where('recipient', '=', options.recipient);
    if (options.poolId !== undefined) query = query.where('pool_id', '=', options.poolId);
    const rows = await query.orderBy('created_at', 'desc').orderBy('message_id', 'desc').limit(options.limit).execute();
    return rows.map((row) => ({
      poolId: row.pool_id,
      messageId: row.message_id,
      medium: row.medium as DevMessage['medium'],
      recipient: row.recipient,
      ...(row.subject !== null && { subject: row.subject }),
      body: row.body,
      createdAt: new Date(row.created_at),
    }));
  }
}
