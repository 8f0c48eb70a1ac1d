import { useState } from 'preact/hooks';
import type { Avatar } from '../api/types.ts';

interface AvatarImageProps {
  avatar: Avatar | null;
  username: string;
  size: number;
  /** Empty when a text next to the image already names the user. */
  alt: string;
}

/** Renders the avatar picture, or the user's initial when there is no avatar or it failed to load. */
export function AvatarImage({ avatar, username, size, alt }: AvatarImageProps) {
  const [failedUrl, setFailedUrl] = useState<string | null>(null);
  if (!avatar || failedUrl === avatar.url) {
    return (
      <span class="avatar avatar-fallback" style={{ width: `${size}px`, height: `${size}px` }} role={alt ? 'img' : undefined} aria-label={alt || undefined}>
        <span aria-hidden="true">{(username[0] ?? '?').toUpperCase()}</span>
      </span>
    );
  }
  return <img class="avatar" src={avatar.url} alt={alt} width={size} height={size} onError={() => setFailedUrl(avatar.url)} />;
}
