import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api/api-error.ts';
import type { LabApi } from './api/lab-api.ts';
import type { User } from './api/types.ts';
import { AuthPage } from './auth/auth-page.tsx';
import { Header } from './session/header.tsx';
import { SignedInShell } from './session/signed-in-shell.tsx';
import { useHashRoute } from './session/use-hash-route.ts';
import { StatusPage } from './status/status-page.tsx';
import { ErrorNotice } from './ui/error-notice.tsx';
import { Busy } from './ui/spinner.tsx';

type Phase =
  | { kind: 'starting' }
  | { kind: 'signed-out'; notice: string | null }
  | { kind: 'signed-in'; user: User }
  | { kind: 'start-failed'; error: unknown };

/**
 * Decides between the login form and the lab. When the session cookies are
 * there, the refresh cookie is exchanged for an access token on start, so a
 * reload keeps the user logged in.
 */
export function App({ api }: { api: LabApi }) {
  const route = useHashRoute();
  const [phase, setPhase] = useState<Phase>(() => (api.client.hasSession ? { kind: 'starting' } : { kind: 'signed-out', notice: null }));

  const resume = useCallback(() => {
    setPhase({ kind: 'starting' });
    api.client.refresh().then(
      (pair) => setPhase({ kind: 'signed-in', user: pair.user }),
      (error) => {
        // A rejected refresh token means logging in again; anything else may pass, so offer a retry.
        if (error instanceof ApiError && (error.status === 401 || error.status === 400)) setPhase({ kind: 'signed-out', notice: 'Your session has ended. Log in again to continue.' });
        else setPhase({ kind: 'start-failed', error });
      },
    );
  }, [api]);

  useEffect(() => {
    if (phase.kind === 'starting') resume();
    // Only the first render starts the session; later starts come from the retry button.
  }, []);

  useEffect(() => {
    api.client.onSessionEnd = () => setPhase({ kind: 'signed-out', notice: 'Your session has ended. Log in again to continue.' });
    return () => {
      api.client.onSessionEnd = null;
    };
  }, [api]);

  async function logout() {
    try {
      await api.logout();
    } catch {
      // The local tokens are gone either way; a failed server call only leaves the old tokens to expire.
    }
    setPhase({ kind: 'signed-out', notice: 'You have logged out.' });
  }

  if (phase.kind === 'signed-in') {
    return <SignedInShell api={api} user={phase.user} route={route} onLogout={logout} />;
  }

  return (
    <div class="app-shell">
      <Header route={route} />
      <main class="app-body" id="main-content" tabIndex={-1}>
        {route === 'status' ? (
          <StatusPage client={api.client} />
        ) : phase.kind === 'starting' ? (
          <div class="centered page-loading">
            <Busy active label="Resuming your session" showLabel size="large" />
          </div>
        ) : phase.kind === 'start-failed' ? (
          <div class="auth-page">
            <ErrorNotice error={phase.error} title="Your session could not be resumed." onRetry={resume} />
          </div>
        ) : (
          <AuthPage api={api} notice={phase.notice} onSignedIn={(user) => setPhase({ kind: 'signed-in', user })} />
        )}
      </main>
    </div>
  );
}
