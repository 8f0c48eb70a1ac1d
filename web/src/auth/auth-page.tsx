import { useState } from 'preact/hooks';
import type { LabApi } from '../api/lab-api.ts';
import type { User } from '../api/types.ts';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { Busy } from '../ui/spinner.tsx';
import { TextField } from './text-field.tsx';
import { useFormSubmit, type FormSubmission } from './use-form-submit.ts';

type Mode = 'login' | 'register';

interface AuthPageProps {
  api: LabApi;
  onSignedIn: (user: User) => void;
  /** The reason the previous session ended, if it did. */
  notice?: string | null;
}

export function AuthPage({ api, onSignedIn, notice }: AuthPageProps) {
  const [mode, setMode] = useState<Mode>('login');
  return (
    <div class="auth-page">
      <section class="auth-card" aria-labelledby="auth-title">
        <h1 id="auth-title" class="auth-title">
          {mode === 'login' ? 'Back to the lab' : 'Join the lab'}
        </h1>
        <p class="auth-subtitle">Chat with the resident mad scientist. Bring questions; goggles are optional.</p>
        {notice && (
          <p class="notice notice-info" role="status">
            {notice}
          </p>
        )}
        <div class="tabs" role="tablist" aria-label="Account">
          <button type="button" role="tab" id="tab-login" aria-selected={mode === 'login'} aria-controls="auth-panel" onClick={() => setMode('login')}>
            Log in
          </button>
          <button type="button" role="tab" id="tab-register" aria-selected={mode === 'register'} aria-controls="auth-panel" onClick={() => setMode('register')}>
            Create account
          </button>
        </div>
        <div id="auth-panel" role="tabpanel" aria-labelledby={mode === 'login' ? 'tab-login' : 'tab-register'}>
          {mode === 'login' ? <LoginForm api={api} onSignedIn={onSignedIn} /> : <RegisterForm api={api} onSignedIn={onSignedIn} />}
        </div>
      </section>
    </div>
  );
}

interface FormProps {
  api: LabApi;
  onSignedIn: (user: User) => void;
}

function LoginForm({ api, onSignedIn }: FormProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const form = useFormSubmit(['username', 'email', 'password']);

  function onSubmit(event: Event) {
    event.preventDefault();
    void form.submit(async () => {
      const pair = await api.login({ username: username.trim(), password });
      onSignedIn(pair.user);
    });
  }

  return (
    <form class="auth-form" onSubmit={onSubmit} noValidate aria-label="Log in">
      <FormError form={form} />
      <TextField
        id="login-username"
        label="Username or email"
        value={username}
        autoComplete="username"
        error={fieldMessage(form.fieldErrors.username ?? form.fieldErrors.email)}
        onInput={(value) => {
          setUsername(value);
          form.clearField('username');
        }}
      />
      <TextField
        id="login-password"
        label="Password"
        type="password"
        value={password}
        autoComplete="current-password"
        error={fieldMessage(form.fieldErrors.password)}
        onInput={(value) => {
          setPassword(value);
          form.clearField('password');
        }}
      />
      <SubmitButton submitting={form.submitting} label="Log in" busyLabel="Logging in" />
    </form>
  );
}

function RegisterForm({ api, onSignedIn }: FormProps) {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const form = useFormSubmit(['username', 'email', 'password']);

  function onSubmit(event: Event) {
    event.preventDefault();
    void form.submit(async () => {
      const pair = await api.register({ username: username.trim(), email: email.trim(), password });
      onSignedIn(pair.user);
    });
  }

  return (
    <form class="auth-form" onSubmit={onSubmit} noValidate aria-label="Create account">
      <FormError form={form} />
      <TextField
        id="register-username"
        label="Username"
        value={username}
        autoComplete="username"
        hint="3 to 32 characters: letters, digits, dots, dashes and underscores."
        error={fieldMessage(form.fieldErrors.username)}
        onInput={(value) => {
          setUsername(value);
          form.clearField('username');
        }}
      />
      <TextField
        id="register-email"
        label="Email"
        type="email"
        value={email}
        autoComplete="email"
        error={fieldMessage(form.fieldErrors.email)}
        onInput={(value) => {
          setEmail(value);
          form.clearField('email');
        }}
      />
      <TextField
        id="register-password"
        label="Password"
        type="password"
        value={password}
        autoComplete="new-password"
        hint="8 to 128 characters."
        error={fieldMessage(form.fieldErrors.password)}
        onInput={(value) => {
          setPassword(value);
          form.clearField('password');
        }}
      />
      <SubmitButton submitting={form.submitting} label="Create account" busyLabel="Creating your account" />
    </form>
  );
}

function FormError({ form }: { form: FormSubmission }) {
  if (!form.formError) return null;
  return (
    <div>
      <ErrorNotice error={form.formError} />
      {form.otherDetails.length > 0 && (
        <ul class="detail-list">
          {form.otherDetails.map((detail) => (
            <li key={detail}>{detail}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function SubmitButton({ submitting, label, busyLabel }: { submitting: boolean; label: string; busyLabel: string }) {
  return (
    <button type="submit" class="button button-primary button-wide" disabled={submitting} aria-busy={submitting}>
      <Busy active={submitting} label={busyLabel} />
      <span>{label}</span>
    </button>
  );
}

/** Validators often start lower-case ("must NOT have fewer than 3 characters"); a note under a field reads better capitalised. */
function fieldMessage(message: string | undefined): string | undefined {
  if (!message) return undefined;
  return message.charAt(0).toUpperCase() + message.slice(1);
}
