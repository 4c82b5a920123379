/** Contract of `GET /check` (and `spamops check`): a data dir verified. */
import { Type, type Static } from '@sinclair/typebox';

export const CheckKind = Type.Union([
  Type.Literal('features_differ'),
  Type.Literal('online_missing'),
  Type.Literal('offline_missing'),
  Type.Literal('sms_id_held_twice'),
  Type.Literal('part_not_in_manifest'),
  Type.Literal('part_missing'),
  Type.Literal('database_damaged'),
]);
export type CheckKind = Static<typeof CheckKind>;

export const CheckFinding = Type.Object({
  kind: CheckKind,
  detail: Type.String(),
  sms_id: Type.Optional(Type.String()),
  /** features_differ: which store holds the wrong features */
  store: Type.Optional(Type.Union([Type.Literal('online'), Type.Literal('offline')])),
  file: Type.Optional(Type.String()),
});
export type CheckFinding = Static<typeof CheckFinding>;

export const CheckAnswer = Type.Object({
  /** nothing found */
  ok: Type.Boolean(),
  /** inbox messages read */
  messages: Type.Integer(),
  /** messages whose change is still on its way to the feature step (their features are not expected yet) */
  pending: Type.Integer(),
  counts: Type.Record(CheckKind, Type.Integer()),
  /** the first 200 findings; `counts` covers all */
  findings: Type.Array(CheckFinding),
  /** what was not checked, and why; parts being written */
  notes: Type.Array(Type.String()),
  duration_ms: Type.Integer(),
});
export type CheckAnswer = Static<typeof CheckAnswer>;
