import type { ComponentChildren } from 'preact';
import type { Route } from './use-hash-route.ts';

interface HeaderProps {
  route: Route;
  children?: ComponentChildren;
}

export function Header({ route, children }: HeaderProps) {
  return (
    <header class="app-header">
      {/* A button, not an in-page link: the hash holds the route. */}
      <button type="button" class="skip-link" onClick={() => document.getElementById('main-content')?.focus()}>
        Skip to content
      </button>
      <a class="brand" href="#/" aria-label="Mad Scientist Lab, home">
        <svg viewBox="0 0 32 32" aria-hidden="true" class="brand-mark">
          <path d="M12 3h8M13.5 3v9L5.5 26a2.6 2.6 0 0 0 2.3 3.9h16.4a2.6 2.6 0 0 0 2.3-3.9L18.5 12V3" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
          <path d="M9 21h14l3 5.2a1.6 1.6 0 0 1-1.4 2.4H7.4A1.6 1.6 0 0 1 6 26.2z" class="brand-liquid" />
          <circle cx="14" cy="17" r="1.3" class="brand-bubble" />
          <circle cx="18.5" cy="14.5" r="1" class="brand-bubble" />
        </svg>
        <span class="brand-name">
          Mad Scientist <span class="brand-lab">Lab</span>
        </span>
      </a>
      <nav class="tabs-nav" aria-label="Pages">
        <a href="#/" aria-current={route === 'chat' ? 'page' : undefined}>
          Chat
        </a>
        <a href="#/status" aria-current={route === 'status' ? 'page' : undefined}>
          Status
        </a>
      </nav>
      <div class="header-end">{children}</div>
    </header>
  );
}
