import type { Logger } from '../../common/logger.ts';
import type { ChatConfig } from '../config.ts';
import { OpenAiCompatibleProvider } from './openai.ts';
import { PersonaProvider } from './persona/provider.ts';
import type { ReplyProvider } from './provider.ts';

/** Returns the OpenAI-compatible provider when LLM_BASE_URL is set, otherwise the built-in persona engine. */
export function createReplyProvider(config: ChatConfig, logger: Logger): ReplyProvider {
  if (config.llm) return new OpenAiCompatibleProvider({ ...config.llm, logger });
  return new PersonaProvider({ seed: config.personaSeed, streamDelayMs: config.personaStreamDelayMs });
}
