#!/usr/bin/python3
"""Expected values for the v2 tokenizer tests (src-main/features/features.test.ts), from
keras-preprocessing itself (Debian's python3-keras-preprocessing: Tokenizer, text_to_word_sequence,
pad_sequences). Prints JSON; the numbers are written into the test by hand.

  1. ties at the num_words=180 boundary: 176 words seen 10 times each (first seen in a shuffled
     order), then six words seen 3 times each, first seen in the order t3 t0 t5 t1 t4 t2 and last
     seen in the reverse order: Keras ranks equal counts by first appearance;
  2. Unicode edge strings: lower() (Python's, e.g. 'İ' -> 'i̇'), the filter characters, and the
     split on ' ' only (other white space stays inside words).
The corpus formula is rebuilt by the test (tieCorpus()); keep the two in step.
"""
import json

from keras_preprocessing.sequence import pad_sequences
from keras_preprocessing.text import Tokenizer, text_to_word_sequence


def tie_corpus():
    texts = ['t3 t0 t5 t1 t4 t2']
    order = [(k * 7) % 176 for k in range(176)]
    for rep in range(10):
        texts.append(' '.join(f'h{k}' for k in order))
    texts.append('t2 t4 t1 t5 t0 t3')
    texts.append('T2, t4! (t1) t5. t0? t3;')
    return texts


UNICODE_EDGE = [
    'İstanbul FREE',           # Python and JS both lower İ to i + U+0307
    'ΟΔΟΣ ΟΔΟΣ.',              # final sigma at a word end
    'Straße STRASSE',
    'ǅemal ǈ',                 # title-case digraphs
    'ﬁnal ﬀ',                  # ligatures stay (lower() keeps them)
    '\u212a k',                # Kelvin sign lowers to k
    'ı I',                     # dotless i stays
    'ẞ',                       # capital sharp s lowers to ß
    'win\u00a0cash',           # no-break space is no split
    'win\u2028cash',           # line separator is no split
    'win\tcash\nnow',          # tab and newline are filters
    'win\x1ccash\x85now',      # Python white space, but Keras splits on ' ' only
    '\ufeffcall now\ufeff',    # byte-order marks stay in words
    'free\U0001F600 \U0001F600',  # astral characters
    'café CAFÉ cafe\u0301',    # composed and decomposed accents
    'Ꭰꭰ',                      # Cherokee: lower() maps U+13A0 to U+AB70
    'ᲐᲑ აბ',                   # Georgian Mtavruli lowers to Mkhedruli
    'ＦＲＥＥ ｆｒｅｅ',          # full-width letters
    "it's don't 'quoted'",     # apostrophes are no filter
    'a_b a-b a.b a/b',         # _ - . / are filters
    '§¶ ~^ ¿¡ «»',              # ~ ^ are filters, the others not
    '  double  spaces  ',
]


def main():
    texts = tie_corpus()
    tok = Tokenizer(num_words=180)
    tok.fit_on_texts(texts)
    wi = tok.word_index
    probes = ['t3 t0 t5 t1 t4 t2 h0 h1 h175', 'h7 zz t5']
    out = {
        'tie': {
            'vocabulary': len(wi),
            'index': {w: wi[w] for w in ['t3', 't0', 't5', 't1', 't4', 't2', 'h0', 'h1', 'h7', 'h175']},
            'sequences': {p: pad_sequences(tok.texts_to_sequences([p]), maxlen=30).tolist()[0] for p in probes},
        },
        'unicode': {t: text_to_word_sequence(t) for t in UNICODE_EDGE},
    }
    t2 = Tokenizer(num_words=180)
    t2.fit_on_texts(UNICODE_EDGE)
    out['unicode_index'] = t2.word_index
    print(json.dumps(out, ensure_ascii=True, indent=1))


if __name__ == '__main__':
    main()
