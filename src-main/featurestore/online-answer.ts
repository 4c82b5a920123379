/**
 * A lookup's answer (POST /get-online-features) written as JSON, byte for byte what the route's
 * declared schema's serializer (fast-json-stringify) writes, with the texts of kept rows' values
 * (`keptTexts`, written as the rows were kept) served as they are instead of written once per
 * answer. On the serving thread a lookup of three 30-token rows spent 7.5 % in the schema's
 * serializer, most of it in V8's slow path for frozen arrays. `online-answer.test.ts` compares the
 * bytes with the declared schema's serializer.
 */
import type { GetOnlineFeaturesResponse } from '../../src-shared/featurestore';

/** where a result holds its values' texts, when the store kept any (not enumerable, not sent) */
const VALUE_TEXTS = Symbol('spamops.valueTexts');

type Result = GetOnlineFeaturesResponse['results'][number];

/** the known texts of a result's values: `texts[i]` was written for `of[i]` */
export interface ValueTexts {
  texts: (string | undefined)[];
  of: unknown[];
}

/** where an answer holds the last moment it is true at, when one ends it (not enumerable, not sent) */
const UNTIL = Symbol('spamops.answerUntil');

/**
 * an answer that stops being true after `until` (Date.now() ms): a value it serves reaches its
 * view's ttl, or the store stops keeping the rows it was read from (`rowsUntil`)
 */
export function answerWithUntil(answer: GetOnlineFeaturesResponse, until: number): GetOnlineFeaturesResponse {
  if (until !== Number.POSITIVE_INFINITY) Object.defineProperty(answer, UNTIL, { value: until });
  return answer;
}

/**
 * the last `Date.now()` at which an answer is still true as nothing is written: once past, a value
 * it serves as present is past its view's ttl, or the store would read its rows again (Infinity:
 * neither ends)
 */
export function answerUntil(answer: GetOnlineFeaturesResponse): number {
  return (answer as GetOnlineFeaturesResponse & { [UNTIL]?: number })[UNTIL] ?? Number.POSITIVE_INFINITY;
}

/** a result with the known texts of its values */
export function resultWithTexts(result: Result, texts: ValueTexts | undefined): Result {
  if (texts) Object.defineProperty(result, VALUE_TEXTS, { value: texts });
  return result;
}

export function onlineFeaturesJson(answer: GetOnlineFeaturesResponse): string {
  let json = `{"metadata":{"feature_names":${JSON.stringify(answer.metadata.feature_names)}},"results":[`;
  const { results } = answer;
  for (let r = 0; r < results.length; r++) {
    const result = results[r] as Result & { [VALUE_TEXTS]?: ValueTexts };
    const { values, statuses, event_timestamps } = result;
    const known = result[VALUE_TEXTS];
    json += r === 0 ? '{"values":[' : ',{"values":[';
    for (let i = 0; i < values.length; i++) {
      if (i > 0) json += ',';
      // a text serves only the value it was written for (a value put in its place is written afresh)
      const text = known !== undefined && known.of[i] === values[i] ? known.texts[i] : undefined;
      json += text ?? JSON.stringify(values[i]) ?? 'null';
    }
    json += `],"statuses":${JSON.stringify(statuses)},"event_timestamps":${JSON.stringify(event_timestamps)}}`;
  }
  return `${json}]}`;
}
