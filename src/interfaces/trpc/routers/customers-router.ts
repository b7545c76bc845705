import { z } from 'zod';
import { CUSTOMER_LIMITS } from '../../../domain/customer/customer.js';
import {
  CUSTOMER_SEGMENTS,
  CUSTOMER_SOURCES,
  CUSTOMER_STATUSES,
} from '../../../domain/customer/customer.types.js';
import { permissionProcedure, router } from '../trpc.js';
import { httpUrl, id, mapKey, pageFields, text, using } from './router-support.js';

const L = CUSTOMER_LIMITS;
const SETTABLE_STATUSES = CUSTOMER_STATUSES.filter((s) => s !== 'blocked') as ['active', 'inactive', 'vip'];

const phone = text(32);
const name = text(L.name);
const customerTags = z.array(text(L.tag)).max(L.tags);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');
const address = z.object({
  street: text(L.street).optional(),
  city: text(L.cityStateCountry).optional(),
  state: text(L.cityStateCountry).optional(),
  country: text(L.cityStateCountry).optional(),
  postalCode: text(L.postalCode).optional(),
  coordinates: z
    .object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) })
    .optional(),
});
const communicationHours = z.object({ start: hhmm.optional(), end: hhmm.optional() });
const customFields = z
  .record(mapKey, text(L.customFieldValue))
  .refine((m) => Object.keys(m).length <= L.customFields, `at most ${L.customFields} custom fields`);

const listInput = z.object({
  /** All of. */
  tags: customerTags.min(1).optional(),
  segment: z.enum(CUSTOMER_SEGMENTS).optional(),
  status: z.enum(CUSTOMER_STATUSES).optional(),
  isBlocked: z.boolean().optional(),
  /** Name, phone or e-mail. */
  search: text(100).optional(),
  ...pageFields,
});

const byId = z.object({ customerId: id });

const createInput = z.object({
  phoneNumber: phone,
  firstName: name.optional(),
  lastName: name.optional(),
  email: z.email().max(254).optional(),
  avatar: httpUrl.optional(),
  alternativePhones: z.array(phone).max(L.alternativePhones).optional(),
  address: address.optional(),
  tags: customerTags.optional(),
  segment: z.enum(CUSTOMER_SEGMENTS).optional(),
  source: z.enum(CUSTOMER_SOURCES).optional(),
  status: z.enum(SETTABLE_STATUSES).optional(),
  customFields: customFields.optional(),
  preferences: z
    .object({
      language: text(10).optional(),
      communicationHours: communicationHours.optional(),
      preferredAgent: id.optional(),
    })
    .optional(),
  notes: text(L.notes).optional(),
});

/** `null` clears an optional field; absent leaves it unchanged. */
const updateInput = z.object({
  customerId: id,
  changes: z.object({
    firstName: name.nullable().optional(),
    lastName: name.nullable().optional(),
    email: z.email().max(254).nullable().optional(),
    avatar: httpUrl.nullable().optional(),
    alternativePhones: z.array(phone).max(L.alternativePhones).optional(),
    address: address.nullable().optional(),
    segment: z.enum(CUSTOMER_SEGMENTS).optional(),
    source: z.enum(CUSTOMER_SOURCES).optional(),
    status: z.enum(SETTABLE_STATUSES).optional(),
    preferences: z
      .object({
        language: text(10).optional(),
        communicationHours: communicationHours.optional(),
        preferredAgent: id.nullable().optional(),
      })
      .optional(),
    notes: text(L.notes).nullable().optional(),
  }),
});

const tagsInput = z
  .object({
    customerId: id,
    add: customerTags.optional(),
    remove: customerTags.optional(),
    /** Replaces the whole list (applied before add/remove). */
    set: customerTags.optional(),
  })
  .refine((v) => v.add || v.remove || v.set, { message: 'give add, remove or set' });

const customFieldsInput = z.object({
  customerId: id,
  /** Per key: a string sets the field, `null` removes it. */
  fields: z
    .record(mapKey, text(L.customFieldValue).nullable())
    .refine((m) => Object.keys(m).length >= 1 && Object.keys(m).length <= L.customFields, {
      message: `1 to ${L.customFields} fields`,
    }),
});

const blockInput = z.object({ customerId: id, reason: text(L.blockReason) });

const eraseInput = z.object({
  customerId: id,
  /** The customer's phone number typed again (or `erased:<id>` to finish an interrupted erasure). */
  confirm: text(64),
  reason: text(500).optional(),
});

const read = permissionProcedure('read:conversations');
const manage = permissionProcedure('manage:customers');

export const customersRouter = router({
  list: read.input(listInput).query(({ ctx, input }) => {
    const { uc, actor } = using(ctx);
    return uc.customers.list.execute({ actor, ...input });
  }),

  /** The profile with the conversations and tickets the caller may see. */
  get: read.input(byId).query(({ ctx, input }) => {
    const { uc, actor } = using(ctx);
    return uc.customers.get.execute({ actor, customerId: input.customerId });
  }),

  create: manage.input(createInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.customers.create.execute({ actor, meta, ...input });
  }),

  update: manage.input(updateInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.customers.update.execute({ actor, meta, customerId: input.customerId, changes: input.changes });
  }),

  tags: manage.input(tagsInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.customers.update.execute({
      actor,
      meta,
      customerId: input.customerId,
      ...(input.set ? { changes: { tags: input.set } } : {}),
      ...(input.add ? { addTags: input.add } : {}),
      ...(input.remove ? { removeTags: input.remove } : {}),
    });
  }),

  customFields: manage.input(customFieldsInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.customers.update.execute({
      actor,
      meta,
      customerId: input.customerId,
      customFields: input.fields,
    });
  }),

  block: manage.input(blockInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.customers.block.execute({ actor, meta, ...input });
  }),

  unblock: manage.input(blockInput).mutation(({ ctx, input }) => {
    const { uc, actor, meta } = using(ctx);
    return uc.customers.unblock.execute({ actor, meta, ...input });
  }),

  /** Right to be forgotten (admin): deletes the conversations and messages, anonymises the rest. */
  erase: permissionProcedure('system:admin')
    .input(eraseInput)
    .mutation(({ ctx, input }) => {
      const { uc, actor, meta } = using(ctx);
      return uc.customers.erase.execute({ actor, meta, ...input });
    }),
});
