import type { Dashboard } from '../api/types.ts';
import { Busy } from '../ui/spinner.tsx';

interface DashboardNoticesProps {
  meta: Dashboard['meta'];
  username: string;
  retrying: boolean;
  onRetry: () => void;
}

/** Lists each part of the dashboard that did not load, with one retry for all of them. */
export function DashboardNotices({ meta, username, retrying, onRetry }: DashboardNoticesProps) {
  const lines: string[] = [];
  if (!meta.history_available) lines.push('Chat history is unavailable: the chat service did not answer. Sending may fail until it is back.');
  if (!meta.avatar_available) lines.push('Your avatar is unavailable right now.');
  if (!meta.profile_available) lines.push(`Your profile is unavailable right now. You are still logged in as ${username}.`);
  if (lines.length === 0) return null;
  return (
    <div class="notice notice-warning dashboard-notice" role="status" data-testid="dashboard-notice">
      <div class="dashboard-notice-text">
        <ul>
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
        {meta.request_id && (
          <p class="request-id">
            Request id: <code>{meta.request_id}</code>
          </p>
        )}
      </div>
      <button type="button" class="button button-small" onClick={onRetry} disabled={retrying} aria-busy={retrying}>
        <Busy active={retrying} label="Loading the dashboard" />
        <span>Try again</span>
      </button>
    </div>
  );
}
