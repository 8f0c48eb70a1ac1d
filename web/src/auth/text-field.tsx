interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'email' | 'password';
  autoComplete?: string;
  hint?: string;
  /** The API's message for this field, shown under it. */
  error?: string;
}

/** Renders a labelled input with its hint and its error tied to it through aria-describedby. */
export function TextField({ id, label, value, onInput, type = 'text', autoComplete, hint, error }: TextFieldProps) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div class={error ? 'field field-invalid' : 'field'}>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={id}
        // Preact's input types are a union keyed on `type`; this prop takes three of its members.
        type={type as 'text'}
        value={value}
        autoComplete={autoComplete}
        autoCapitalize="off"
        spellcheck={false}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
      {hint && (
        <p id={hintId} class="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} class="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
