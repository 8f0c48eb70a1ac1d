import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { Busy } from '../ui/spinner.tsx';
import type { ChatState, DisplayMessage } from './chat-state.ts';

/** Distance from the top, in pixels, at which the next older page starts loading. */
const LOAD_OLDER_THRESHOLD_PX = 160;
/** Distance from the bottom within which new messages keep the view pinned to the bottom. */
const STICK_TO_BOTTOM_PX = 64;

interface MessageListProps {
  state: ChatState;
  username: string;
  onLoadOlder: () => void;
}

/**
 * Renders the open conversation, oldest message at the top. Scrolling near
 * the top loads the next older page and keeps the visible messages in place.
 * New messages keep the view at the bottom unless the reader scrolled away.
 */
export function MessageList({ state, username, onLoadOlder }: MessageListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const previous = useRef({ firstKey: '', lastKey: '', scrollHeight: 0, conversationId: null as string | null });

  const first = state.messages[0]?.key ?? '';
  const last = state.messages.at(-1)?.key ?? '';
  const canLoadOlder = state.nextCursor !== null && !state.older.loading && !state.older.error && !state.opening;

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const before = previous.current;
    const switched = before.conversationId !== state.conversationId && !state.sending;
    const prepended = !switched && first !== before.firstKey && last === before.lastKey && before.firstKey !== '';
    if (switched) pinned.current = true;
    if (last !== before.lastKey && state.sending) pinned.current = true;

    if (prepended) {
      // Keep the messages that were on screen in place: grow scrollTop by the height added above them.
      element.scrollTop += element.scrollHeight - before.scrollHeight;
    } else if (pinned.current) {
      element.scrollTop = element.scrollHeight;
    }
    previous.current = { firstKey: first, lastKey: last, scrollHeight: element.scrollHeight, conversationId: state.conversationId };

    // A short page may not fill the view, and then no scroll event ever comes. A hidden list
    // (another page is open) has no height and would otherwise load every page in turn.
    if (canLoadOlder && element.clientHeight > 0 && element.scrollTop < LOAD_OLDER_THRESHOLD_PX) onLoadOlder();
  });

  // A narrower window or a taller message input shrinks the view; a reader at the bottom stays there.
  useEffect(() => {
    const element = scroller.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (pinned.current) element.scrollTop = element.scrollHeight;
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  function onScroll() {
    const element = scroller.current;
    if (!element) return;
    pinned.current = element.scrollHeight - element.scrollTop - element.clientHeight < STICK_TO_BOTTOM_PX;
    previous.current.scrollHeight = element.scrollHeight;
    if (canLoadOlder && element.scrollTop < LOAD_OLDER_THRESHOLD_PX) onLoadOlder();
  }

  return (
    <div class="message-scroller" ref={scroller} onScroll={onScroll} tabIndex={0} aria-label="Messages">
      <div class="history-edge">
        {state.older.loading && <Busy active label="Loading older messages" showLabel />}
        {state.older.error ? <ErrorNotice error={state.older.error} title="Older messages could not be loaded." onRetry={onLoadOlder} /> : null}
        {canLoadOlder && (
          <button type="button" class="button button-ghost button-small" onClick={onLoadOlder}>
            Load older messages
          </button>
        )}
        {state.nextCursor === null && state.messages.length > 0 && !state.opening && <p class="history-start">This is the start of the conversation.</p>}
      </div>
      {state.opening && (
        <div class="centered">
          <Busy active label="Opening the conversation" showLabel size="large" />
        </div>
      )}
      {state.openError ? <ErrorNotice error={state.openError} title="The conversation could not be opened." /> : null}
      {!state.opening && state.messages.length === 0 && !state.openError && <EmptyConversation />}
      {/* role=log would read every streamed word aloud; the live region in ChatPage announces whole replies. */}
      <ol class="messages" aria-live="off">
        {state.messages.map((message) => (
          <MessageBubble key={message.key} message={message} username={username} />
        ))}
      </ol>
    </div>
  );
}

function MessageBubble({ message, username }: { message: DisplayMessage; username: string }) {
  const author = message.role === 'user' ? username : 'Dr. Mad Scientist';
  const time = new Date(message.createdAt);
  return (
    <li class={`message message-${message.role} message-${message.state}`} data-state={message.state} aria-busy={message.state === 'streaming'}>
      <div class="message-meta">
        <span class="message-author">{author}</span>
        {!Number.isNaN(time.getTime()) && <time dateTime={message.createdAt}>{formatTime(time)}</time>}
        {message.state === 'failed' && <span class="message-flag">not delivered</span>}
      </div>
      {/* Plain text only: Preact escapes it, and white-space: pre-wrap keeps the line breaks. */}
      <div class="message-text">
        {message.content}
        {message.state === 'streaming' && <span class="typing-cursor" aria-hidden="true" />}
      </div>
      {message.state === 'streaming' && message.content === '' && <span class="visually-hidden">The scientist is thinking</span>}
    </li>
  );
}

function EmptyConversation() {
  return (
    <div class="empty-conversation">
      <svg viewBox="0 0 64 64" aria-hidden="true" class="empty-flask">
        <path d="M24 6h16M27 6v18L12 52a5 5 0 0 0 4.4 7h31.2a5 5 0 0 0 4.4-7L37 24V6" fill="none" stroke="currentColor" stroke-width="3" stroke-linejoin="round" />
        <path d="M17 44h30l5 9a3 3 0 0 1-2.6 4H14.6a3 3 0 0 1-2.6-4z" fill="currentColor" opacity=".35" />
      </svg>
      <p>The lab is quiet. Ask the scientist anything to start a new experiment.</p>
    </div>
  );
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

function formatTime(time: Date): string {
  const today = new Date();
  return time.toDateString() === today.toDateString() ? timeFormat.format(time) : dateTimeFormat.format(time);
}
