/**
 * The API: one router per area, merged here. Add a router by writing
 * `routers/<area>-router.ts` (`export const xRouter = router({...})`) and adding one line below.
 * The web app imports only `type AppRouter` from this file.
 */
import { authRouter } from './routers/auth-router.js';
import { router } from './trpc.js';

export const appRouter = router({
  auth: authRouter,
  // agents: agentsRouter,
  // customers: customersRouter,
  // conversations: conversationsRouter,
  // messages: messagesRouter,
  // tickets: ticketsRouter,
  // settings: settingsRouter,
  // activity: activityRouter,
  // analytics: analyticsRouter,
  // inbox: inboxRouter,          (live subscriptions: tracked() events from the EventBus)
});

export type AppRouter = typeof appRouter;
