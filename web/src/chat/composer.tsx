import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Spinner } from '../ui/spinner.tsx';
import { useDelayedFlag } from '../ui/use-delayed-flag.ts';

/** The chat service accepts messages of 1 to 4000 characters. */
export const MAX_MESSAGE_LENGTH = 4000;
/** Rows the input grows to before it scrolls. */
const MAX_ROWS = 8;

interface ComposerProps {
  sending: boolean;
  disabled?: boolean;
  /** Resolves true when the message was delivered, so the draft can be cleared. */
  onSend: (text: string) => Promise<boolean>;
}

/** Renders the message input: Enter sends, Shift+Enter starts a new line. */
export function Composer({ sending, disabled = false, onSend }: ComposerProps) {
  const [draft, setDraft] = useState('');
  const input = useRef<HTMLTextAreaElement>(null);
  const text = draft.trim();
  const tooLong = draft.length > MAX_MESSAGE_LENGTH;
  const canSend = text.length > 0 && !tooLong && !sending && !disabled;
  const showSpinner = useDelayedFlag(sending);

  useLayoutEffect(() => {
    const element = input.current;
    if (!element) return;
    element.style.height = 'auto';
    const lineHeight = parseFloat(getComputedStyle(element).lineHeight) || 22;
    element.style.height = `${Math.min(element.scrollHeight, lineHeight * MAX_ROWS + 20)}px`;
  }, [draft]);

  async function submit() {
    if (!canSend) return;
    const sent = draft;
    setDraft('');
    const delivered = await onSend(text);
    // Give the text back when it failed and the user has not started a new one.
    if (!delivered) setDraft((current) => (current === '' ? sent : current));
    input.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    void submit();
  }

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label for="composer-input" class="visually-hidden">
        Message to the scientist
      </label>
      <textarea
        id="composer-input"
        ref={input}
        rows={1}
        value={draft}
        placeholder="Ask the scientist…"
        aria-describedby="composer-help"
        aria-invalid={tooLong ? 'true' : undefined}
        disabled={disabled}
        onInput={(event) => setDraft(event.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      <p id="composer-help" class={tooLong ? 'composer-help composer-help-error' : 'composer-help'}>
        {helpText(draft.length)}
      </p>
      <button type="submit" class="button button-primary composer-send" disabled={!canSend} aria-label={sending ? 'Sending' : 'Send message'}>
        {showSpinner ? (
          <Spinner label="Waiting for the reply" />
        ) : (
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <path d="M3 11.5 21 3l-6.5 18-3-7.5z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
          </svg>
        )}
      </button>
    </form>
  );
}

function helpText(length: number): string {
  if (length > MAX_MESSAGE_LENGTH) return `Too long: ${length} of ${MAX_MESSAGE_LENGTH} characters. Shorten the message to send it.`;
  if (length > MAX_MESSAGE_LENGTH * 0.9) return `${length} of ${MAX_MESSAGE_LENGTH} characters.`;
  return 'Enter sends, Shift+Enter adds a line.';
}
