import { ObjectId } from 'mongodb';
import type { IdGenerator } from '../../application/ports/gateways.js';
import type { Id } from '../../domain/shared/ids.js';

/**
 * 24-hex MongoDB ObjectIds: a 4-byte timestamp, a per-process random value and a counter, so ids
 * sort by creation time (to the second across processes, strictly within one process).
 */
export class ObjectIdGenerator implements IdGenerator {
  next(): Id {
    return new ObjectId().toHexString();
  }
}
