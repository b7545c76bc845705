/** Runs every repository contract suite against the in-memory adapters. */
import { InMemoryActivityLogRepository } from '../../src/infrastructure/memory/in-memory-activity-log-repository.js';
import { InMemoryAgentRepository } from '../../src/infrastructure/memory/in-memory-agent-repository.js';
import { InMemoryConversationRepository } from '../../src/infrastructure/memory/in-memory-conversation-repository.js';
import { InMemoryConversationThreadRepository } from '../../src/infrastructure/memory/in-memory-conversation-thread-repository.js';
import { InMemoryCustomerRepository } from '../../src/infrastructure/memory/in-memory-customer-repository.js';
import { InMemoryMessageRepository } from '../../src/infrastructure/memory/in-memory-message-repository.js';
import { InMemorySequenceRepository } from '../../src/infrastructure/memory/in-memory-sequence-repository.js';
import { InMemorySessionRepository } from '../../src/infrastructure/memory/in-memory-session-repository.js';
import { InMemorySettingsRepository } from '../../src/infrastructure/memory/in-memory-settings-repository.js';
import { InMemoryTicketRepository } from '../../src/infrastructure/memory/in-memory-ticket-repository.js';
import { InMemoryWebhookInbox } from '../../src/infrastructure/memory/in-memory-webhook-inbox.js';
import { describeActivityLogRepositoryContract } from './activity-log-repository.contract.js';
import { describeAgentRepositoryContract } from './agent-repository.contract.js';
import { describeConversationRepositoryContract } from './conversation-repository.contract.js';
import { describeConversationThreadRepositoryContract } from './conversation-thread-repository.contract.js';
import { describeCustomerRepositoryContract } from './customer-repository.contract.js';
import { describeMessageRepositoryContract } from './message-repository.contract.js';
import { describeSequenceRepositoryContract } from './sequence-repository.contract.js';
import { describeSessionRepositoryContract } from './session-repository.contract.js';
import { describeSettingsRepositoryContract } from './settings-repository.contract.js';
import { describeTicketRepositoryContract } from './ticket-repository.contract.js';
import { describeWebhookInboxContract } from './webhook-inbox.contract.js';

/** A fresh in-memory repository per test; there is nothing to release. */
const fresh =
  <R>(create: () => R) =>
  async () => ({ repo: create(), cleanup: async () => {} });

describeAgentRepositoryContract(
  'InMemory',
  fresh(() => new InMemoryAgentRepository()),
);
describeCustomerRepositoryContract(
  'InMemory',
  fresh(() => new InMemoryCustomerRepository()),
);
describeConversationRepositoryContract(
  'InMemory',
  fresh(() => new InMemoryConversationRepository()),
);
describeMessageRepositoryContract(
  'InMemory',
  fresh(() => new InMemoryMessageRepository()),
);
describeTicketRepositoryContract(
  'InMemory',
  fresh(() => new InMemoryTicketRepository()),
);
describeSequenceRepositoryContract(
  'InMemory',
  fresh(() => new InMemorySequenceRepository()),
);
describeSettingsRepositoryContract(
  'InMemory',
  fresh(() => new InMemorySettingsRepository()),
);
describeActivityLogRepositoryContract(
  'InMemory',
  fresh(() => new InMemoryActivityLogRepository()),
);
describeConversationThreadRepositoryContract(
  'InMemory',
  fresh(() => new InMemoryConversationThreadRepository()),
);
describeSessionRepositoryContract(
  'InMemory',
  fresh(() => new InMemorySessionRepository()),
);
describeWebhookInboxContract(
  'InMemory',
  fresh(() => new InMemoryWebhookInbox()),
);
