import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { isAbort } from '../api/api-client.ts';
import type { LabApi } from '../api/lab-api.ts';
import type { Conversation } from '../api/types.ts';

export interface ConversationsState {
  items: Conversation[];
  loading: boolean;
  error: unknown;
  /** Reloads the list; a quiet reload keeps the current list on screen without a spinner. */
  reload(quiet?: boolean): void;
}

export function useConversations(api: LabApi): ConversationsState {
  const [items, setItems] = useState<Conversation[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const inFlight = useRef<AbortController | null>(null);

  const reload = useCallback(
    (quiet = false) => {
      inFlight.current?.abort();
      const controller = new AbortController();
      inFlight.current = controller;
      if (!quiet) setLoading(true);
      api.conversations(controller.signal).then(
        (conversations) => {
          setItems(conversations);
          setError(null);
          setLoading(false);
        },
        (failure) => {
          if (isAbort(failure)) return;
          setError(failure);
          setLoading(false);
        },
      );
    },
    [api],
  );

  useEffect(() => {
    reload();
    return () => inFlight.current?.abort();
  }, [reload]);

  return { items, loading, error, reload };
}
