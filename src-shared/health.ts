/** Contracts of /health and /local/info. */
import { Type, type Static } from '@sinclair/typebox';
import { IngestionHealth } from './ingestion';

export const HealthAnswer = Type.Object(
  {
    status: Type.String(),
    storage: Type.Object({ backend: Type.String(), location: Type.String() }),
    registry_version: Type.Integer(),
    bootstrapped: Type.Boolean(),
    ingestion: IngestionHealth,
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
