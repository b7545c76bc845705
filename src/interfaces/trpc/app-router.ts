/**
 * The API: one router per area, merged here. Add a router by writing
 * `routers/<area>-router.ts` (`export const xRouter = router({...})`) and adding one line below.
 * The web app imports only `type AppRouter` from this file.
 */
import { activityRouter } from './routers/activity-router.js';
import { agentsRouter } from './routers/agents-router.js';
import { aiRouter } from './routers/ai-router.js';
import { analyticsRouter } from './routers/analytics-router.js';
import { authRouter } from './routers/auth-router.js';
import { conversationsRouter } from './routers/conversations-router.js';
import { customersRouter } from './routers/customers-router.js';
import { inboxRouter } from './routers/inbox-router.js';
import { messagesRouter } from './routers/messages-router.js';
import { settingsRouter } from './routers/settings-router.js';
import { ticketsRouter } from './routers/tickets-router.js';
import { router } from './trpc.js';

export const appRouter = router({
  auth: authRouter,
  agents: agentsRouter,
  customers: customersRouter,
  conversations: conversationsRouter,
  messages: messagesRouter,
  tickets: ticketsRouter,
  settings: settingsRouter,
  activity: activityRouter,
  analytics: analyticsRouter,
  inbox: inboxRouter,
  ai: aiRouter,
});

export type AppRouter = typeof appRouter;
