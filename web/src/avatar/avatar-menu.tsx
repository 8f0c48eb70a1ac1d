import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { LabApi } from '../api/lab-api.ts';
import type { Avatar, User } from '../api/types.ts';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { Busy } from '../ui/spinner.tsx';
import { AvatarImage } from './avatar-image.tsx';
import { AVATAR_STYLES } from './avatar-styles.ts';

interface AvatarMenuProps {
  api: LabApi;
  /** The profile from the dashboard; null when the auth service did not return it. */
  profile: User | null;
  /** The user from the token pair, which names the user even without the profile. */
  sessionUser: User;
  avatar: Avatar | null;
  avatarAvailable: boolean;
  onAvatarChange: (avatar: Avatar) => void;
  /** Resolves once the session is gone; it never rejects. */
  onLogout: () => Promise<void>;
}

/** Renders the header button with the avatar, and its panel: profile, a new avatar in a chosen style, and log out. */
export function AvatarMenu({ api, profile, sessionUser, avatar, avatarAvailable, onAvatarChange, onLogout }: AvatarMenuProps) {
  const [open, setOpen] = useState(false);
  const [style, setStyle] = useState<string>(avatar?.style ?? AVATAR_STYLES[0].id);
  const [generating, setGenerating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [loggingOut, setLoggingOut] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const username = profile?.username ?? sessionUser.username;

  // A layout effect, so the listeners are in place as soon as the open panel is on screen: an Escape
  // pressed right after opening would otherwise reach the document before a deferred effect had run.
  useLayoutEffect(() => {
    if (!open) return;
    function onPointerDown(event: PointerEvent) {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    }
    function onKeyDown(event: KeyboardEvent) {
      if (event.key !== 'Escape') return;
      setOpen(false);
      toggle.current?.focus();
    }
    document.addEventListener('pointerdown', onPointerDown);
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, [open]);

  async function generate(event: Event) {
    event.preventDefault();
    setGenerating(true);
    setError(null);
    try {
      onAvatarChange(await api.createAvatar(style));
    } catch (failure) {
      setError(failure);
    } finally {
      setGenerating(false);
    }
  }

  return (
    <div class="avatar-menu" ref={root}>
      <button type="button" class="avatar-toggle" ref={toggle} aria-expanded={open} aria-controls="account-panel" onClick={() => setOpen(!open)}>
        <AvatarImage avatar={avatar} username={username} size={36} alt="Your avatar" />
        <span class="avatar-name">{username}</span>
      </button>
      <div id="account-panel" class="account-panel" hidden={!open} role="region" aria-label="Account">
        <section class="account-profile" aria-label="Profile">
          <AvatarImage avatar={avatar} username={username} size={72} alt="" />
          <div>
            <p class="account-username">{username}</p>
            {profile ? (
              <>
                <p class="muted">{profile.email}</p>
                <p class="muted">Member since {new Date(profile.created_at).toLocaleDateString()}</p>
              </>
            ) : (
              <p class="notice notice-warning">Profile details are unavailable right now.</p>
            )}
          </div>
        </section>
        {!avatarAvailable && <p class="notice notice-warning">The current avatar could not be loaded; generating a new one may still work.</p>}
        <form class="avatar-form" onSubmit={generate}>
          <label for="avatar-style">Avatar style</label>
          <div class="avatar-form-row">
            <select id="avatar-style" value={style} onChange={(event) => setStyle(event.currentTarget.value)}>
              {AVATAR_STYLES.map((option) => (
                <option key={option.id} value={option.id}>
                  {option.label}
                </option>
              ))}
            </select>
            <button type="submit" class="button button-primary" disabled={generating} aria-busy={generating}>
              <Busy active={generating} label="Generating the avatar" />
              <span>New avatar</span>
            </button>
          </div>
        </form>
        {error ? <ErrorNotice error={error} title="No new avatar." /> : null}
        <button
          type="button"
          class="button button-ghost button-wide"
          disabled={loggingOut}
          aria-busy={loggingOut}
          onClick={() => {
            // The logout always ends on the login page, which unmounts this panel, so the flag is never reset.
            setLoggingOut(true);
            void onLogout();
          }}
        >
          <Busy active={loggingOut} label="Logging out" />
          <span>Log out</span>
        </button>
      </div>
    </div>
  );
}
