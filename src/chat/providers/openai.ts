import { AppError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { LlmSettings } from '../config.ts';
import type { ChatTurn, GenerateOptions, ReplyProvider } from './provider.ts';
import { PERSONA_SYSTEM_PROMPT } from './system-prompt.ts';
import { readEventData } from './upstream-events.ts';

/** Characters of an upstream error body kept in the log line. */
const LOGGED_BODY_LENGTH = 500;

export interface OpenAiProviderOptions extends LlmSettings {
  logger: Logger;
  systemPrompt?: string;
}

/**
 * A deadline that restarts on activity: it fires when no response headers or
 * stream data arrive for `timeoutMs`, so a long but steady stream survives.
 */
class IdleDeadline {
  readonly #controller = new AbortController();
  readonly #timeoutMs: number;
  #timer: NodeJS.Timeout;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#timer = this.#start();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get expired(): boolean {
    return this.#controller.signal.aborted;
  }

  restart(): void {
    clearTimeout(this.#timer);
    this.#timer = this.#start();
  }

  clear(): void {
    clearTimeout(this.#timer);
  }

  #start(): NodeJS.Timeout {
    return setTimeout(() => this.#controller.abort(new Error('language model deadline expired')), this.#timeoutMs);
  }
}

/**
 * A reply provider for any server that speaks the OpenAI chat-completions
 * API: POST {baseUrl}/chat/completions with the persona system prompt and
 * the conversation. A failure becomes UPSTREAM_TIMEOUT when no response or
 * stream data arrives within the timeout, and UPSTREAM_ERROR otherwise. The
 * upstream URL and response body go to the log only, never to the client.
 */
export class OpenAiCompatibleProvider implements ReplyProvider {
  readonly name = 'openai';
  readonly #options: OpenAiProviderOptions;

  constructor(options: OpenAiProviderOptions) {
    this.#options = options;
  }

  async *generate(history: readonly ChatTurn[], options: GenerateOptions = {}): AsyncIterable<string> {
    const deadline = new IdleDeadline(this.#options.timeoutMs);
    // Aborted when the consumer stops early, which closes the upstream connection.
    const finished = new AbortController();
    const signals = [deadline.signal, finished.signal];
    if (options.signal) signals.push(options.signal);
    const signal = AbortSignal.any(signals);

    try {
      const response = await this.#post(history, options.stream === true, signal);
      deadline.restart();
      const contentType = response.headers.get('content-type') ?? '';
      if (contentType.includes('text/event-stream') && response.body) {
        for await (const data of readEventData(response.body, () => deadline.restart())) {
          if (data.trim() === '[DONE]') return;
          const text = this.#deltaText(data);
          if (text) yield text;
        }
        return;
      }
      yield this.#messageText(await response.text());
    } catch (error) {
      throw this.#failure(error, deadline, options.signal);
    } finally {
      deadline.clear();
      finished.abort();
    }
  }

  async #post(history: readonly ChatTurn[], stream: boolean, signal: AbortSignal): Promise<Response> {
    const { baseUrl, apiKey, model, systemPrompt = PERSONA_SYSTEM_PROMPT } = this.#options;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
    };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    const messages = [{ role: 'system', content: systemPrompt }, ...history.map(({ role, content }) => ({ role, content }))];

    const response = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model, messages, stream }),
      signal,
    });
    if (!response.ok) {
      const body = await response.text().catch(() => '');
      this.#options.logger.warn(
        { upstream: 'llm', statusCode: response.status, body: body.slice(0, LOGGED_BODY_LENGTH) },
        'language model request failed',
      );
      throw new AppError('UPSTREAM_ERROR', 'The language model service returned an error.');
    }
    return response;
  }

  /** Returns the text of one streamed chunk: `choices[0].delta.content`. */
  #deltaText(data: string): string {
    const chunk = this.#parse(data) as { choices?: Array<{ delta?: { content?: unknown } }>; error?: unknown };
    if (chunk.error !== undefined) this.#invalid('stream reported an error', data);
    const content = chunk.choices?.[0]?.delta?.content;
    if (content === undefined || content === null) return '';
    if (typeof content !== 'string') this.#invalid('chunk content is not a string', data);
    return content as string;
  }

  /** Returns the text of a whole response: `choices[0].message.content`. */
  #messageText(body: string): string {
    const parsed = this.#parse(body) as { choices?: Array<{ message?: { content?: unknown } }> };
    const content = parsed.choices?.[0]?.message?.content;
    if (typeof content !== 'string') this.#invalid('response has no message content', body);
    return content as string;
  }

  #parse(text: string): unknown {
    try {
      const value: unknown = JSON.parse(text);
      if (value !== null && typeof value === 'object') return value;
    } catch {
      // Reported below like any other unreadable body.
    }
    return this.#invalid('response is not a JSON object', text);
  }

  #invalid(reason: string, body: string): never {
    this.#options.logger.warn({ upstream: 'llm', reason, body: body.slice(0, LOGGED_BODY_LENGTH) }, 'language model response is invalid');
    throw new AppError('UPSTREAM_ERROR', 'The language model service returned an invalid response.');
  }

  #failure(error: unknown, deadline: IdleDeadline, callerSignal: AbortSignal | undefined): unknown {
    if (callerSignal?.aborted) return callerSignal.reason;
    if (error instanceof AppError) return error;
    if (deadline.expired) {
      this.#options.logger.warn({ upstream: 'llm', timeoutMs: this.#options.timeoutMs }, 'language model request timed out');
      return new AppError('UPSTREAM_TIMEOUT', 'The language model service did not respond in time.', { cause: error });
    }
    this.#options.logger.warn({ upstream: 'llm', err: error }, 'language model request failed');
    return new AppError('UPSTREAM_ERROR', 'The language model service could not be reached.', { cause: error });
  }
}
