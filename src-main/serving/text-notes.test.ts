/** Text notes: computed once per (version, text), remembered from a text's second sight on. */
import { describe, expect, it } from 'vitest';
import type { ServedModel } from './models';
import { TextNotes } from './text-notes';

/** a model that counts its feature extractions */
function model(name: string, version: string) {
  const m = {
    name,
    version,
    extractions: 0,
    textToFeatures(text: string) {
      m.extractions++;
      return [text.length, 1];
    },
    outOfVocabularyRate: () => 0.25,
  };
  return m as typeof m & ServedModel;
}

describe('TextNotes', () => {
  it('finds a text seen once while it waits to be recorded, and remembers it from its second sight on', () => {
    const notes = new TextNotes();
    const m = model('v1', '1');
    const first = notes.of(m, 'hello');
    expect(first).toEqual({ version: '1', features: [5, 1], oov: 0.25, featuresJson: '[5,1]' });
    // recorded right after (or after a batch of others): the same note, not extracted again
    for (let i = 0; i < 20; i++) notes.of(m, `other ${i}`);
    expect(notes.of(m, 'hello')).toBe(first);
    expect(m.extractions).toBe(21);
    // pushed out of the ring by 40 new texts: extracted again, and remembered since seen before
    for (let i = 20; i < 60; i++) notes.of(m, `other ${i}`);
    const again = notes.of(m, 'hello');
    expect(again).toEqual(first);
    expect(m.extractions).toBe(62);
    // remembered: 100 new texts later, still not extracted again
    for (let i = 60; i < 160; i++) notes.of(m, `other ${i}`);
    expect(notes.of(m, 'hello')).toBe(again);
    expect(m.extractions).toBe(162);
    // the texts seen once were not remembered: one of them, asked again, is extracted again
    notes.of(m, 'other 0');
    expect(m.extractions).toBe(163);
  });

  it('keeps models and versions apart', () => {
    const notes = new TextNotes();
    const a = model('v1', '1');
    const b = model('v3', '1');
    notes.of(a, 'hi');
    notes.of(a, 'hi');
    notes.of(b, 'hi');
    expect([a.extractions, b.extractions]).toEqual([1, 1]);
    // a new version of v1 (promoted): the old version's note, waiting in the ring, is not its own
    const a2 = model('v1', '2');
    expect(notes.of(a2, 'hi').version).toBe('2');
    for (let i = 0; i < 40; i++) notes.of(a2, `other ${i}`);
    // the text was seen before (under v1's old version): remembered, and found 40 texts later
    expect(notes.of(a2, 'hi').version).toBe('2');
    expect(a2.extractions).toBe(41);
    // and a note of the old version in memory is made again under the new
    const a3 = model('v1', '3');
    expect(notes.of(a3, 'hi').version).toBe('3');
    expect(notes.of(a3, 'hi').version).toBe('3');
    expect(a3.extractions).toBe(1);
  });

  // Found by a hostile review: more first sights in flight than the ring holds (LSTM requests
  // waiting on their batches) made each one's recording a second sight, and kept every text.
  it('does not count a request asking again for the note it computed as a second sight', () => {
    const notes = new TextNotes();
    const m = model('v3', '1');
    const texts = Array.from({ length: 40 }, (_, i) => `new text ${i}`);
    for (const t of texts) notes.of(m, t); // 40 uncached requests computed, waiting on their batches
    for (const t of texts) notes.of(m, t, false); // each recorded once its batch answered
    expect(m.extractions).toBe(48); // the 8 oldest had left the ring of 32: computed again
    // not remembered for it: the first of those texts seen again is a second sight, computed once
    // more and remembered from now on
    notes.of(m, texts[0]);
    notes.of(m, texts[0]);
    expect(m.extractions).toBe(49);
    // a text still in the ring is found whatever the sighting
    expect(notes.of(m, texts[39], false)).toBe(notes.of(m, texts[39]));
    expect(m.extractions).toBe(49);
  });
});
