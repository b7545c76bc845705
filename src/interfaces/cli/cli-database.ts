/**
 * The database side of a CLI run: configuration (MONGODB_URI is required), the connection, what the
 * server can do, and a container wired on the MongoDB repositories (for EnsureFirstAdmin, the
 * settings, the clock and ids).
 *
 * Unlike `buildApp`, opening does not run `ensureIndexes` by itself: `migrate up` must see what is
 * missing before it creates it, to report what it did.
 */
import { type Logger, pino } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import { type Config, ConfigError, loadConfig } from '../../infrastructure/config.js';
import { createContainer } from '../../infrastructure/container.js';
import type { IndexLogger } from '../../infrastructure/mongo/indexes.js';
import {
  connectMongo,
  detectCapabilities,
  type MongoCapabilities,
  type MongoConnection,
} from '../../infrastructure/mongo/mongo-client.js';
import {
  createMongoRepositories,
  type MongoRepositories,
} from '../../infrastructure/mongo/mongo-repositories.js';
import { CliError, type CliIo, EXIT, redactUri } from './cli-support.js';

export interface CliDatabase {
  config: Config & { mongo: NonNullable<Config['mongo']> };
  connection: MongoConnection;
  capabilities: MongoCapabilities;
  repositories: MongoRepositories;
  container: DependencyContainer;
  /** One line naming the server and the database, for report headers. */
  describe(): string;
  /** Writes warnings from the index code to stderr as one line each. */
  indexLog: IndexLogger;
  close(): Promise<void>;
}

export function readCliConfig(env: CliIo['env']): CliDatabase['config'] {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new CliError(`configuration: ${err.lines.join('; ')}`, EXIT.usage);
    }
    throw err;
  }
  if (!config.mongo) {
    throw new CliError(
      'MONGODB_URI is not set: the CLI works on a MongoDB or FerretDB database ' +
        '(e.g. MONGODB_URI=mongodb://127.0.0.1:27017/whatsapp_crm npm run crm -- migrate up)',
      EXIT.usage,
    );
  }
  return config as CliDatabase['config'];
}

export async function openDatabase(io: CliIo, options: { verbose: boolean }): Promise<CliDatabase> {
  const config = readCliConfig(io.env);
  let connection: MongoConnection;
  try {
    connection = await connectMongo(config.mongo.uri, {
      dbName: config.mongo.dbName,
      appName: 'whatsapp-crm-cli',
    });
  } catch (err) {
    throw new CliError(
      `cannot connect to ${redactUri(config.mongo.uri)}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  try {
    const capabilities = await detectCapabilities(connection.db);
    const indexLog: IndexLogger = {
      warn: (_obj, msg) => io.err(`warning: ${msg}\n`),
      info: (_obj, msg) => {
        if (options.verbose) io.err(`note: ${msg}\n`);
      },
    };
    const repositories = createMongoRepositories(connection.db, capabilities, indexLog);
    const logger: Logger = pino({ level: options.verbose ? 'info' : 'silent' }, pino.destination(2));
    const container = createContainer(config, { repositories, logger, mongo: connection });
    return {
      config,
      connection,
      capabilities,
      repositories,
      container,
      indexLog,
      describe: () =>
        `database "${connection.db.databaseName}" on ${capabilities.server} ${capabilities.version}`,
      close: () => connection.close(),
    };
  } catch (err) {
    await connection.close().catch(() => {});
    throw err;
  }
}
