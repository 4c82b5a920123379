/** The one error body every route answers with: what went wrong and, where it helps, which field. */
import { Type, type Static } from '@sinclair/typebox';

export const ApiError = Type.Object(
  {
    error: Type.String({ description: 'a machine-readable code: validation_error, not_found, conflict, storage_busy, ...' }),
    detail: Type.String({ description: 'what went wrong and what to do, in a sentence' }),
    field: Type.Optional(Type.String({ description: 'the field at fault (body.x, query.y, ...)' })),
    known: Type.Optional(Type.Array(Type.String(), { description: 'the names that exist, when a name was not found' })),
    /** the file on disk that is missing or broken (503 artifact_unavailable) */
    file: Type.Optional(Type.String()),
    /** 409 worse_than_holder: the candidate beside the alias's holder (a PromotionCheck) */
    check: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: true },
);
export type ApiErrorBody = Static<typeof ApiError>;

/** The code of the 409 every registry route answers before any definitions were applied: clients test it, never the detail's text. */
export const REGISTRY_EMPTY = 'registry_empty';
