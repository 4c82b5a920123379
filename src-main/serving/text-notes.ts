/**
 * What recording a prediction needs of its text besides the answer (its features, their JSON, the
 * unknown-word rate), computed once per (model version, text). A cached answer is still recorded
 * with its features: remembering them spares the feature extraction (and the tokenizer's second
 * pass for the unknown-word rate) that would otherwise cost a cache hit as much as a miss.
 *
 * A text is remembered from its second sight on (see Doorkeeper): most texts are asked once. Until
 * then its note waits in a short ring, to be found when the request that computed it records its
 * answer (at once, or after its batch: a few dozen requests later under any load). The ring is an
 * array, not a Map: a Map of 64 notes, one set and one deleted each request, had V8 promote nearly
 * every note to the old generation (v1, a new text each request: 160-190 KB a scavenge, a pause of
 * 1.8-2.1 ms), an array (of 1, 4 or 64) none (0 KB, 1.0-1.2 ms).
 */
import { BoundedMap, Doorkeeper } from '../platform';
import type { ServedModel } from './models';

/** what recording needs of a text besides the answer */
export interface TextNote {
  version: string;
  features: number[];
  oov: number | null;
  /** `features` as JSON, made once: a hot text is recorded again and again */
  featuresJson: string;
}

/** texts remembered (the oldest dropped first) */
const MAX_NOTES = 10_000;
/** texts seen lately, by hash */
const DOORKEEPER_SLOTS = 32_768;
/** notes of texts seen once, newest first, until they are recorded */
const RING = 32;

interface FirstNote {
  model: string;
  text: string;
  note: TextNote;
}

export class TextNotes {
  private readonly notes = new BoundedMap<string, TextNote>(MAX_NOTES);
  private readonly door = new Doorkeeper(DOORKEEPER_SLOTS);
  private readonly ring: (FirstNote | undefined)[] = new Array(RING).fill(undefined);
  /** where the next first note goes */
  private at = 0;

  /**
   * A text's note under a served version: remembered, or computed now. `sighting` false: the
   * same request asks again for the note it computed (to record a computed answer). It is found
   * in the ring unless more than the ring's texts were seen since (many requests in flight, each
   * waiting on its batch); then it is computed again, and neither remembered nor counted as a
   * second sight, which would keep every text of such a load.
   */
  of(m: ServedModel, text: string, sighting = true): TextNote {
    const waiting = this.waiting(m, text);
    if (waiting) return waiting;
    const key = `${m.name}\u0000${text}`;
    const known = this.notes.get(key);
    if (known && known.version === m.version) return known;
    const features = m.textToFeatures(text);
    const note: TextNote = { version: m.version, features, oov: m.outOfVocabularyRate(text) ?? null, featuresJson: JSON.stringify(features) };
    if (!sighting) return note;
    if (known || this.door.seenBefore(key)) this.notes.set(key, note);
    else {
      this.ring[this.at] = { model: m.name, text, note };
      this.at = (this.at + 1) % RING;
    }
    return note;
  }

  /** the note of a text seen once, if still in the ring: the newest first (the request that computed it records next, mostly) */
  private waiting(m: ServedModel, text: string): TextNote | undefined {
    for (let i = 1; i <= RING; i++) {
      const e = this.ring[(this.at - i + RING) % RING];
      if (e === undefined) return undefined;
      if (e.text === text && e.model === m.name && e.note.version === m.version) return e.note;
    }
    return undefined;
  }
}
