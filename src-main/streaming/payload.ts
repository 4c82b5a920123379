/**
 * A stream message's payload as JSON, refused naming the field when its text is not valid
 * Unicode, as POST /sms refuses it (platform/unicode-text.ts serves both).
 */
import { jsonLoneSurrogatePath, strictUtf8, utf8Problem } from '../platform';

export function parsePayload(data: Uint8Array): { value: unknown } | { error: string } {
  const json = strictUtf8(data);
  if (json === undefined) {
    const bad = utf8Problem(data);
    return { error: `${bad?.field || 'the payload'}: ${bad?.detail ?? 'is not UTF-8 text'}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    return { error: `the payload is not JSON (${(e as Error).message}): expected {"recipient_id", "sender_id", "sms_text"}` };
  }
  const field = jsonLoneSurrogatePath(json, value);
  return field === undefined ? { value } : { error: `${field || 'the payload'}: contains a lone UTF-16 surrogate, not valid Unicode text` };
}
