/** Look-ups shared by several screens: the agent directory and customers by id. */
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { personName } from './format';
import { useSession } from './session';
import { type Agent, useTRPC } from './trpc';

export interface AgentDirectory {
  agents: Agent[];
  byId: Map<string, Agent>;
  name: (id: string | undefined) => string;
}

/** Active agents (transfer targets, names of assignees); needs read:conversations. */
export function useAgentDirectory(): AgentDirectory {
  const trpc = useTRPC();
  const { can, me } = useSession();
  const list = useQuery({
    ...trpc.agents.list.queryOptions({ limit: 100 }),
    enabled: can('read:conversations'),
    staleTime: 60_000,
  });
  return useMemo(() => {
    const agents = list.data?.items ?? [];
    const byId = new Map(agents.map((a) => [a.id, a]));
    return {
      agents,
      byId,
      name: (id) => {
        if (!id) return '';
        if (id === me.id) return personName(me);
        return byId.has(id) ? personName(byId.get(id)) : id.slice(-6);
      },
    };
  }, [list.data, me]);
}

export function useCustomer(customerId: string | undefined) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.customers.get.queryOptions({ customerId: customerId ?? '' }),
    enabled: Boolean(customerId),
    staleTime: 30_000,
  });
}
