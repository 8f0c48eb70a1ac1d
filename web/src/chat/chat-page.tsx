import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { LabApi } from '../api/lab-api.ts';
import type { HistoryPage } from '../api/types.ts';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { Composer } from './composer.tsx';
import { ConversationList } from './conversation-list.tsx';
import { MessageList } from './message-list.tsx';
import { useChat } from './use-chat.ts';
import { useConversations } from './use-conversations.ts';

interface ChatPageProps {
  api: LabApi;
  username: string;
  /** The dashboard's history page; null when the chat service did not respond. */
  history: HistoryPage | null;
  hidden?: boolean;
}

export function ChatPage({ api, username, history, hidden = false }: ChatPageProps) {
  const chat = useChat(api, history);
  const conversations = useConversations(api);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const drawer = useRef<HTMLDivElement>(null);
  const drawerToggle = useRef<HTMLButtonElement>(null);
  const { state } = chat;
  const activeTitle =
    state.conversationId === null ? 'New conversation' : conversations.items.find((item) => item.id === state.conversationId)?.title || 'Conversation';

  // On narrow screens the list is a drawer over the chat: focus moves into it, and Escape closes it.
  // A layout effect, as in the account panel, so Escape works from the first frame the drawer is open.
  useLayoutEffect(() => {
    if (!drawerOpen) return;
    drawer.current?.querySelector<HTMLElement>('button:not(:disabled)')?.focus();
    function onKeyDown(event: KeyboardEvent) {
      if (event.key !== 'Escape') return;
      setDrawerOpen(false);
      drawerToggle.current?.focus();
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [drawerOpen]);

  async function send(text: string): Promise<boolean> {
    const exchange = await chat.send(text);
    if (exchange) conversations.reload(true);
    return exchange !== null;
  }

  function select(conversationId: string | null) {
    setDrawerOpen(false);
    if (conversationId !== state.conversationId || conversationId === null) chat.open(conversationId);
  }

  return (
    <div class="chat-page" hidden={hidden}>
      <div class={drawerOpen ? 'chat-drawer chat-drawer-open' : 'chat-drawer'} id="conversation-drawer" ref={drawer}>
        <ConversationList conversations={conversations} activeId={state.conversationId} locked={state.sending} onSelect={select} onNew={() => select(null)} />
      </div>
      {drawerOpen && <button type="button" class="drawer-backdrop" aria-label="Close the conversation list" onClick={() => setDrawerOpen(false)} />}
      <section class="chat-main" aria-labelledby="chat-title">
        <div class="chat-titlebar">
          <button type="button" ref={drawerToggle} class="button button-ghost button-small drawer-toggle" aria-label="Conversations" aria-expanded={drawerOpen} aria-controls="conversation-drawer" onClick={() => setDrawerOpen(!drawerOpen)}>
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path d="M4 6h16M4 12h16M4 18h16" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
            </svg>
          </button>
          <h1 id="chat-title" class="chat-title">
            {activeTitle}
          </h1>
        </div>
        <MessageList state={state} username={username} onLoadOlder={chat.loadOlder} />
        <div class="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="reply-announcement">
          {state.announcement ? `The scientist replied: ${state.announcement}` : ''}
        </div>
        {state.sendError ? <ErrorNotice error={state.sendError} title="Your message was not delivered." /> : null}
        <Composer sending={state.sending} onSend={send} />
      </section>
    </div>
  );
}
