import { describeError } from '../api/api-error.ts';

interface ErrorNoticeProps {
  error: unknown;
  onRetry?: () => void;
  retryLabel?: string;
  /** Shown before the message, such as "Sending failed." */
  title?: string;
}

/** Shows an API failure in plain words, with the request id to quote when reporting it. */
export function ErrorNotice({ error, onRetry, retryLabel = 'Try again', title }: ErrorNoticeProps) {
  const { message, requestId } = describeError(error);
  return (
    <div class="notice notice-error" role="alert">
      <p>
        {title && <strong>{title} </strong>}
        {message}
      </p>
      {requestId && (
        <p class="request-id">
          Request id: <code>{requestId}</code>
        </p>
      )}
      {onRetry && (
        <button type="button" class="button button-small" onClick={onRetry}>
          {retryLabel}
        </button>
      )}
    </div>
  );
}
