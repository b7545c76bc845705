/** The signed-in agent, their permissions and language, available to every screen. */
import { createContext, useContext } from 'react';
import type { Me } from './trpc';

export type Permission = Me['permissions'][number];

export interface Session {
  me: Me['agent'];
  permissions: ReadonlySet<Permission>;
  can: (permission: Permission) => boolean;
  logout: () => void;
  /** Live websocket state (the inbox subscription). */
  live: 'connecting' | 'open' | 'closed';
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in screen');
  return session;
}
