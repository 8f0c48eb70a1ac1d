import type { ConversationsState } from './use-conversations.ts';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { Busy } from '../ui/spinner.tsx';

interface ConversationListProps {
  conversations: ConversationsState;
  activeId: string | null;
  /** True while a reply streams: switching then would leave it half shown. */
  locked: boolean;
  onSelect: (conversationId: string) => void;
  onNew: () => void;
}

export function ConversationList({ conversations, activeId, locked, onSelect, onNew }: ConversationListProps) {
  const { items, loading, error } = conversations;
  return (
    <nav class="conversations" aria-label="Conversations">
      <div class="conversations-head">
        <h2>Experiments</h2>
        <button type="button" class="button button-primary button-small" onClick={onNew} disabled={locked}>
          <span aria-hidden="true">+</span> New conversation
        </button>
      </div>
      {loading && items.length === 0 && <Busy active label="Loading conversations" showLabel />}
      {error ? <ErrorNotice error={error} title="Conversations could not be loaded." onRetry={() => conversations.reload()} /> : null}
      {!loading && !error && items.length === 0 && <p class="muted">No conversations yet.</p>}
      <ul class="conversation-items">
        {activeId === null && (
          <li>
            <button type="button" class="conversation conversation-active" aria-current="true" disabled>
              <span class="conversation-title">New conversation</span>
              <span class="conversation-time">not started</span>
            </button>
          </li>
        )}
        {items.map((conversation) => (
          <li key={conversation.id}>
            <button
              type="button"
              class={conversation.id === activeId ? 'conversation conversation-active' : 'conversation'}
              aria-current={conversation.id === activeId ? 'true' : undefined}
              disabled={locked && conversation.id !== activeId}
              onClick={() => onSelect(conversation.id)}
            >
              <span class="conversation-title">{conversation.title || 'Untitled conversation'}</span>
              <span class="conversation-time">{relativeTime(conversation.updated_at)}</span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

function relativeTime(iso: string): string {
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  if (Number.isNaN(seconds)) return '';
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ['second', 60],
    ['minute', 60],
    ['hour', 24],
    ['day', 7],
    ['week', 4.35],
    ['month', 12],
  ];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return unit === 'second' ? 'just now' : relative.format(Math.round(value), unit);
    value /= size;
  }
  return relative.format(Math.round(value), 'year');
}
