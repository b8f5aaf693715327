/** One API operation: `(ctx, input) => output`, typed with the AWS SDK's own request and response types. */
export type OperationHandler<Ctx, Input, Output> = (ctx: Ctx, input: Input) => Promise<Output>;

/** Operation name (the part of X-Amz-Target after the dot) → handler. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OperationTable<Ctx> = Record<string, OperationHandler<Ctx, any, any>>;
