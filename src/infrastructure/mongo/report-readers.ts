/**
 * Reports (the analytics use cases) read from secondaries when the deployment has them: the same
 * repositories on a `Db` handle whose read preference is `secondaryPreferred` (a secondary when one
 * is available, else the primary). Reports tolerate the replication lag of a few seconds; the
 * primary keeps its capacity for the writes of the live inbox. Without secondaries (a standalone
 * server, FerretDB) there is nothing to do and the reports use the ordinary repositories.
 */
import { type Db, ReadPreference } from 'mongodb';
import type { ReportReaders } from '../../application/ports/ports.js';
import { MongoAgentRepository } from './mongo-agent-repository.js';
import type { MongoCapabilities, MongoConnection } from './mongo-client.js';
import { MongoConversationRepository } from './mongo-conversation-repository.js';
import { MongoCustomerRepository } from './mongo-customer-repository.js';
import { MongoTicketRepository } from './mongo-ticket-repository.js';

/** The database handle reports read through: `secondaryPreferred` where there are secondaries, else undefined. */
export function reportingDb(
  mongo: MongoConnection,
  capabilities: Pick<MongoCapabilities, 'secondaries'>,
): Db | undefined {
  if (!capabilities.secondaries) return undefined;
  return mongo.client.db(mongo.db.databaseName, { readPreference: ReadPreference.SECONDARY_PREFERRED });
}

/** The repositories the analytics read, on the reporting handle; undefined without secondaries. */
export function createReportReaders(
  mongo: MongoConnection,
  capabilities: MongoCapabilities,
): ReportReaders | undefined {
  const db = reportingDb(mongo, capabilities);
  if (!db) return undefined;
  return {
    conversations: new MongoConversationRepository(db, capabilities),
    tickets: new MongoTicketRepository(db, capabilities),
    customers: new MongoCustomerRepository(db, capabilities),
    agents: new MongoAgentRepository(db, capabilities),
  };
}
