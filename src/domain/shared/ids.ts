/** Entity ids are 24-character lowercase hex strings (MongoDB ObjectId format), generated outside the domain. */
export type Id = string;

const OBJECT_ID = /^[0-9a-f]{24}$/;

export const isId = (value: unknown): value is Id => typeof value === 'string' && OBJECT_ID.test(value);
