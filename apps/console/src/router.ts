import { useEffect, useState } from 'react';

/**
 * Hash routes (`#/jobs/ID`): the gateway serves one page, and a reload or a shared
 * link opens the same view. Query parameters after `?` keep a page's filters.
 */
export interface Route {
  path: string[];
  query: URLSearchParams;
}

function parseHash(hash: string): Route {
  const [p = '', q = ''] = hash.replace(/^#\/?/, '').split('?');
  return { path: p.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export const href = (path: string, query?: Record<string, string | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) q.set(k, v);
  const qs = q.toString();
  return `#/${path}${qs ? `?${qs}` : ''}`;
};

export const go = (path: string, query?: Record<string, string | undefined>) => {
  window.location.hash = href(path, query);
};
