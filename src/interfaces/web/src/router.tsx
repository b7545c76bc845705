/**
 * A tiny history router: the server answers every non-API path with index.html, so deep links
 * (`/c/<id>`, `/tickets/<id>`) work on reload.
 */
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

export type Route =
  | { name: 'inbox'; conversationId?: string }
  | { name: 'tickets'; ticketId?: string }
  | { name: 'customer'; customerId: string }
  | { name: 'agents' }
  | { name: 'settings' }
  | { name: 'notFound' };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second] = parts;
  if (parts.length === 0) return { name: 'inbox' };
  if (first === 'c' && second && parts.length === 2) return { name: 'inbox', conversationId: second };
  if (first === 'tickets' && parts.length <= 2)
    return second ? { name: 'tickets', ticketId: second } : { name: 'tickets' };
  if (first === 'customers' && second && parts.length === 2) return { name: 'customer', customerId: second };
  if (first === 'admin' && second === 'agents') return { name: 'agents' };
  if (first === 'admin' && second === 'settings') return { name: 'settings' };
  return { name: 'notFound' };
}

const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};
window.addEventListener('popstate', notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  notify();
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}

export function useRoute(): Route {
  return parseRoute(usePathname());
}

/** An ordinary link (middle-click, ctrl-click still open a tab) that navigates in place. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return;
    }
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}
