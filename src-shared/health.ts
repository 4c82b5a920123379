/** Contracts of /health and /local/info. */
import { Type, type Static } from '@sinclair/typebox';
import { IngestionHealth } from './ingestion';

/** something that does not work, and what to do about it */
export const HealthProblem = Type.Object({
  component: Type.String({ description: 'tokenizer, model v3, disk, process, ...' }),
  detail: Type.String(),
  remedy: Type.Optional(Type.String()),
  file: Type.Optional(Type.String()),
});
export type HealthProblem = Static<typeof HealthProblem>;

export const HealthAnswer = Type.Object(
  {
    /** ok, or degraded: the API answers, some parts cannot (see problems) */
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    problems: Type.Array(HealthProblem),
    disk: Type.Object({ dir: Type.String(), free_bytes: Type.Union([Type.Integer(), Type.Null()]) }),
    storage: Type.Object({
      backend: Type.String(),
      location: Type.String(),
      /** storage_busy: another connection holds the database's write lock (writes answer 503 meanwhile) */
      state: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('storage_busy')])),
    }),
    registry_version: Type.Integer(),
    bootstrapped: Type.Boolean(),
    ingestion: IngestionHealth,
    /** what computes each model family here, by kind (lstm: the kernel's build, native or WebAssembly, and why) */
    runtimes: Type.Record(Type.String(), Type.String()),
  },
  { additionalProperties: true },
);
export type HealthAnswer = Static<typeof HealthAnswer>;

export const LocalInfoAnswer = Type.Object({
  data_dir: Type.String(),
  storage: Type.String(),
  token: Type.Union([Type.String(), Type.Null()]),
  listening: Type.Object({ host: Type.String(), port: Type.Integer() }),
});
export type LocalInfoAnswer = Static<typeof LocalInfoAnswer>;
