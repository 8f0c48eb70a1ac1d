import { useCallback, useEffect, useReducer, useRef } from 'preact/hooks';
import { isAbort } from '../api/api-client.ts';
import type { LabApi } from '../api/lab-api.ts';
import type { HistoryPage, MessageExchange } from '../api/types.ts';
import { chatReducer, chatStateFromDashboard, type ChatState } from './chat-state.ts';

/** Messages per history page. */
export const HISTORY_PAGE_SIZE = 20;

export interface ChatController {
  state: ChatState;
  open(conversationId: string | null): void;
  loadOlder(): void;
  send(text: string): Promise<MessageExchange | null>;
}

/** Holds the open conversation and runs its requests: open, page back, send with a streamed reply. */
export function useChat(api: LabApi, initialHistory: HistoryPage | null): ChatController {
  const [state, dispatch] = useReducer(chatReducer, initialHistory, chatStateFromDashboard);
  const stateRef = useRef(state);
  stateRef.current = state;
  const openAbort = useRef<AbortController | null>(null);
  const unmounted = useRef(new AbortController());

  useEffect(() => {
    const controller = unmounted.current;
    return () => {
      controller.abort();
      openAbort.current?.abort();
    };
  }, []);

  const open = useCallback(
    (conversationId: string | null) => {
      openAbort.current?.abort();
      dispatch({ type: 'open-started', conversationId });
      if (conversationId === null) return;
      const controller = new AbortController();
      openAbort.current = controller;
      api.history({ conversationId, limit: HISTORY_PAGE_SIZE }, controller.signal).then(
        (page) => dispatch({ type: 'opened', conversationId, page }),
        (error) => {
          if (!isAbort(error)) dispatch({ type: 'open-failed', error });
        },
      );
    },
    [api],
  );

  const loadOlder = useCallback(() => {
    const current = stateRef.current;
    if (!current.nextCursor || current.older.loading || current.opening || !current.conversationId) return;
    const conversationId = current.conversationId;
    dispatch({ type: 'older-started' });
    api.history({ conversationId, cursor: current.nextCursor, limit: HISTORY_PAGE_SIZE }, unmounted.current.signal).then(
      (page) => {
        if (stateRef.current.conversationId === conversationId) dispatch({ type: 'older-loaded', page });
      },
      (error) => {
        if (!isAbort(error)) dispatch({ type: 'older-failed', error });
      },
    );
  }, [api]);

  const send = useCallback(
    async (text: string): Promise<MessageExchange | null> => {
      const current = stateRef.current;
      if (current.sending) return null;
      const localKey = `local-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      dispatch({ type: 'send-started', text, localKey, at: new Date().toISOString() });
      try {
        const exchange = await api.sendMessage(text, current.conversationId, {
          onDelta: (delta) => dispatch({ type: 'delta', text: delta }),
          signal: unmounted.current.signal,
        });
        dispatch({ type: 'send-done', exchange });
        return exchange;
      } catch (error) {
        if (!isAbort(error)) dispatch({ type: 'send-failed', error });
        return null;
      }
    },
    [api],
  );

  return { state, open, loadOlder, send };
}
