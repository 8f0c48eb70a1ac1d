import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { LabApi } from '../api/lab-api.ts';
import type { Avatar, Dashboard, User } from '../api/types.ts';
import { AvatarMenu } from '../avatar/avatar-menu.tsx';
import { ChatPage } from '../chat/chat-page.tsx';
import { StatusPage } from '../status/status-page.tsx';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { Busy } from '../ui/spinner.tsx';
import { DashboardNotices } from './dashboard-notices.tsx';
import { Header } from './header.tsx';
import type { Route } from './use-hash-route.ts';

interface SignedInShellProps {
  api: LabApi;
  user: User;
  route: Route;
  onLogout: () => Promise<void>;
}

/** Renders the app for a logged-in user: one dashboard call loads profile, history and avatar for the chat and status pages. */
export function SignedInShell({ api, user, route, onLogout }: SignedInShellProps) {
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [avatar, setAvatar] = useState<Avatar | null>(null);
  /** Changes when a retried dashboard brings history that was missing, so the chat starts over from it. */
  const [chatGeneration, setChatGeneration] = useState(0);
  const historyShown = useRef(false);
  // The status page stays mounted after its first visit, so its sparklines keep their samples.
  const statusVisited = useRef(false);
  if (route === 'status') statusVisited.current = true;

  const load = useCallback(() => {
    setLoading(true);
    api.dashboard().then(
      (result) => {
        setDashboard(result);
        setError(null);
        setLoading(false);
        if (result.avatar) setAvatar(result.avatar);
        if (result.meta.history_available && !historyShown.current) {
          historyShown.current = true;
          setChatGeneration((generation) => generation + 1);
        }
      },
      (failure) => {
        setError(failure);
        setLoading(false);
      },
    );
  }, [api]);

  useEffect(load, [load]);

  const profile = dashboard?.profile ?? null;
  const username = profile?.username ?? user.username;
  const firstLoad = loading && dashboard === null && error === null;

  return (
    <div class="app-shell">
      <Header route={route}>
        <AvatarMenu
          api={api}
          profile={profile}
          sessionUser={user}
          avatar={avatar}
          avatarAvailable={dashboard?.meta.avatar_available ?? true}
          onAvatarChange={setAvatar}
          onLogout={onLogout}
        />
      </Header>
      <main class="app-body" id="main-content" tabIndex={-1}>
        {dashboard && route === 'chat' && <DashboardNotices meta={dashboard.meta} username={username} retrying={loading} onRetry={load} />}
        {error ? <ErrorNotice error={error} title="The dashboard could not be loaded." onRetry={load} /> : null}
        {firstLoad ? (
          <div class="centered page-loading">
            <Busy active label="Opening the lab" showLabel size="large" />
          </div>
        ) : (
          <ChatPage key={chatGeneration} api={api} username={username} history={dashboard?.chat_history ?? null} hidden={route !== 'chat'} />
        )}
        {statusVisited.current && <StatusPage client={api.client} hidden={route !== 'status'} />}
      </main>
    </div>
  );
}
