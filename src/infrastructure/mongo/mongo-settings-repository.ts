import type { Collection, Db, Document, ObjectId } from 'mongodb';
import { z } from 'zod';
import type { SettingsRepository } from '../../application/ports/repositories.js';
import { SETTING_CATEGORIES, type SystemSettingPrimitives } from '../../domain/settings/settings.types.js';
import { DuplicateError } from '../../domain/shared/errors.js';
import { COLLECTIONS } from './indexes.js';
import {
  assertString,
  assertWritable,
  dropUndefined,
  isDuplicateKeyError,
  missingKeys,
  opt,
  readDocument,
  toObjectId,
  toOptionalObjectId,
  zDate,
  zObjectId,
} from './mongo-common.js';

const ENTITY = 'setting';
const COLLECTION = COLLECTIONS.systemSettings;

export const settingDocumentSchema = z.object({
  _id: zObjectId,
  key: z.string().min(1),
  value: z.unknown().optional(),
  description: opt(z.string()),
  category: z.enum(SETTING_CATEGORIES),
  isEditable: z.boolean(),
  updatedBy: opt(zObjectId),
  createdAt: zDate,
  updatedAt: zDate,
});

const KEYS = Object.keys(settingDocumentSchema.shape);

export function settingToDocument(setting: SystemSettingPrimitives): Document & { _id: ObjectId } {
  const { id, ...rest } = setting;
  const doc = dropUndefined({
    ...rest,
    _id: toObjectId('id', id),
    updatedBy: toOptionalObjectId('updatedBy', setting.updatedBy),
  });
  assertWritable(settingDocumentSchema, doc);
  return doc;
}

export function settingFromDocument(doc: Document): SystemSettingPrimitives {
  const { _id, value, ...rest } = readDocument(COLLECTION, settingDocumentSchema, doc);
  // `value` may legitimately be absent (an undefined value is not stored), like any absent field.
  return dropUndefined({ ...rest, id: _id, value });
}

export class MongoSettingsRepository implements SettingsRepository {
  private readonly collection: Collection;

  constructor(db: Db) {
    this.collection = db.collection(COLLECTION);
  }

  async get(key: string): Promise<SystemSettingPrimitives | null> {
    const doc = await this.collection.findOne({ key: assertString('key', key) });
    return doc ? settingFromDocument(doc) : null;
  }

  async getAll(): Promise<SystemSettingPrimitives[]> {
    const docs = await this.collection.find({}).sort({ key: 1 }).toArray();
    return docs.map(settingFromDocument);
  }

  /** Replaces everything but the id: a key keeps the id it was first stored with. */
  async put(setting: SystemSettingPrimitives): Promise<void> {
    const { _id, key, ...rest } = settingToDocument(setting);
    const unset = missingKeys(
      KEYS.filter((k) => k !== 'key'),
      rest,
    );
    const update: Document = { $set: rest, $setOnInsert: { _id } };
    if (Object.keys(unset).length > 0) update.$unset = unset;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.collection.updateOne({ key }, update, { upsert: true });
        return;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // Another writer inserted the key first: the retry replaces it. A clash on `_id` means
        // the id belongs to another key.
        if (attempt >= 2 || (await this.collection.countDocuments({ key }, { limit: 1 })) === 0) {
          throw new DuplicateError(ENTITY, 'id');
        }
      }
    }
  }

  async insertIfAbsent(setting: SystemSettingPrimitives): Promise<boolean> {
    const { key, ...rest } = settingToDocument(setting);
    try {
      const result = await this.collection.updateOne({ key }, { $setOnInsert: rest }, { upsert: true });
      return result.upsertedCount === 1;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // Lost a race for the same key (absent → present): not inserted. Otherwise the id is taken.
      if ((await this.collection.countDocuments({ key }, { limit: 1 })) > 0) return false;
      throw new DuplicateError(ENTITY, 'id');
    }
  }
}
