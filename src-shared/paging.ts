/** Every list the API answers is bounded: a page of at most 1,000 items, and a cursor to the next one. */
import { Type, type Static } from '@sinclair/typebox';

export const MAX_PAGE = 1000;
/** 1 to 1,000 */
export const PageLimit = Type.String({ pattern: '^(1000|[1-9][0-9]{0,2})$', description: 'a page size from 1 to 1000' });

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(PageLimit),
    /** the id of the last item of the previous page (lists are newest first) */
    before: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type PageQuery = Static<typeof PageQuery>;

export const pageLimit = (raw: string | undefined, fallback = 100): number => (raw === undefined ? fallback : Math.min(MAX_PAGE, Number(raw)));
