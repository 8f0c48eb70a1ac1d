/** One message of a conversation as the reply providers see it. */
export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface GenerateOptions {
  /** Aborts generation, for example when the client disconnects. */
  signal?: AbortSignal;
  /**
   * Whether the caller forwards chunks as they arrive. A provider may then
   * request a stream from its backend, and otherwise fetch the reply whole.
   */
  stream?: boolean;
}

/**
 * A source of assistant replies. `generate` receives the conversation so far,
 * oldest first and ending with the new user message, and yields the reply in
 * chunks whose concatenation is the whole reply. Failures are AppErrors with
 * an upstream code, and an abort through `signal` rejects with the signal's reason.
 */
export interface ReplyProvider {
  /** Short name for logs, such as "persona" or "openai". */
  readonly name: string;
  generate(history: readonly ChatTurn[], options?: GenerateOptions): AsyncIterable<string>;
}

/** Runs a provider to the end and returns the whole reply text. */
export async function generateWholeReply(
  provider: ReplyProvider,
  history: readonly ChatTurn[],
  options: GenerateOptions = {},
): Promise<string> {
  let text = '';
  for await (const chunk of provider.generate(history, { ...options, stream: options.stream ?? false })) {
    text += chunk;
  }
  return text;
}
