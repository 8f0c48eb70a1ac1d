import { useEffect, useState } from 'preact/hooks';

export type Route = 'chat' | 'status';

export function routeFromHash(hash: string): Route {
  return hash.replace(/^#\/?/, '').split(/[/?]/)[0] === 'status' ? 'status' : 'chat';
}

/** Returns the page named by the URL's hash: `#/status` for the status page, anything else for the chat. */
export function useHashRoute(): Route {
  const [route, setRoute] = useState<Route>(() => routeFromHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(routeFromHash(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
