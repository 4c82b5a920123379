/** Contracts of operator feedback: the true label of a message. */
import { Type, type Static } from '@sinclair/typebox';
import { SmsIdString } from './ids';

export const Label = Type.Union([Type.Literal('ham'), Type.Literal('spam')]);
export type Label = Static<typeof Label>;

export const FeedbackBody = Type.Object(
  {
    sms_id: SmsIdString,
    true_label: Label,
    user_id: Type.Optional(Type.String({ maxLength: 100 })),
    predicted_label: Type.Optional(Label),
    model_version: Type.Optional(Type.String({ maxLength: 100 })),
    architecture: Type.Optional(Type.Union([Type.Literal('I'), Type.Literal('II')])),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type FeedbackBody = Static<typeof FeedbackBody>;

export const FeedbackAnswer = Type.Object({ id: Type.String(), at: Type.String(), label_pushed: Type.Boolean(), reason: Type.Optional(Type.String()) });
export type FeedbackAnswer = Static<typeof FeedbackAnswer>;

/** a stored statement, as GET /feedback lists it */
export const FeedbackRecord = Type.Object({
  ...FeedbackBody.properties,
  id: Type.String(),
  at: Type.String(),
  caller: Type.String(),
  source_id: Type.Optional(Type.String()),
});
export type FeedbackRecord = Static<typeof FeedbackRecord>;
