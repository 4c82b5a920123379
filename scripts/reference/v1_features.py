#!/usr/bin/python3
"""Features v1 as the seed computes them, for parity checks of src-main/features/v1.ts.

The seed (analysis/features1/feature1_extractor.py) tokenises with NLTK's word_tokenize
(punkt sentence splitting, then NLTK's Treebank-style word tokenizer), keeps of each token the
characters c with c.upper() in A-Z, and derives:
  cap_r = capitals / kept letters
  nal_r = (total length of the raw tokens - kept letters) / kept letters
  cw_scores_i = 1 if cue word i is one of the lower-cased kept-letter tokens.
This is our own restatement of those rules (no seed code), run on Debian's python3-nltk.

Sentence splitting needs punkt's English model, which is not installable offline. Modes:
  --sentences punkt  the English model: nltk.data's tokenizers/punkt/english.pickle, or the
                     text form of the same model (a punkt_tab/english folder) given by PUNKT_TAB
  --sentences none   no sentence splitting (word_tokenize(..., preserve_line=True))
  --sentences all    a break at every candidate punkt considers (every . ? ! followed by
                     punctuation or by white space and a token): an upper bound of its effect
Usage:
  v1_features.py --dataset CSV --fixture OUT.json.gz       expected values for the tests
  v1_features.py --dataset CSV --compare-modes              where sentence splitting matters
  v1_features.py --text 'free..cash' ...                    features of single strings
  v1_features.py --fuzz 3000 --seed 7 --fixture OUT.json.gz  random strings of tricky pieces
"""
import argparse
import csv
import gzip
import json
import os
import sys

import nltk
from nltk.tokenize import NLTKWordTokenizer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

UPPER = set('ABCDEFGHIJKLMNOPQRSTUVWXYZ')
CUE_WORDS = ['free', 'money', 'prize', 'win', 'won', 'winner', 'cash']
WORDS = NLTKWordTokenizer()


class EverySplit(PunktSentenceTokenizer):
    """punkt's candidate enumeration, with every candidate taken as a break"""

    def text_contains_sentbreak(self, text):
        return True


def punkt_from_tab(folder):
    p = PunktParameters()
    with open(os.path.join(folder, 'abbrev_types.txt'), encoding='utf8') as f:
        p.abbrev_types = {l.rstrip('\n') for l in f if l.rstrip('\n')}
    with open(os.path.join(folder, 'collocations.tab'), encoding='utf8') as f:
        p.collocations = {tuple(l.rstrip('\n').split('\t')) for l in f if l.strip()}
    with open(os.path.join(folder, 'sent_starters.txt'), encoding='utf8') as f:
        p.sent_starters = {l.strip() for l in f if l.strip()}
    path = os.path.join(folder, 'ortho_context.tab')
    if os.path.exists(path):
        with open(path, encoding='utf8') as f:
            for l in f:
                if l.strip():
                    k, v = l.rstrip('\n').split('\t')
                    p.ortho_context[k] = int(v)
    return PunktSentenceTokenizer(p)


def sentence_splitter(mode):
    if mode == 'none':
        return lambda text: [text]
    if mode == 'all':
        t = EverySplit()
        return t.tokenize
    try:
        return nltk.data.load('tokenizers/punkt/english.pickle').tokenize
    except LookupError:
        folder = os.environ.get('PUNKT_TAB')
        if not folder:
            sys.exit('punkt\'s English model is not installed: set PUNKT_TAB to a punkt_tab/english folder, or use --sentences none|all')
        return punkt_from_tab(folder).tokenize


def features(text, split):
    raw = [t for s in split(text) for t in WORDS.tokenize(s)]
    kept = [''.join(c for c in t if c.upper() in UPPER) for t in raw]
    kept = [t for t in kept if t]
    letters = sum(len(t) for t in kept)
    if letters:
        cap_r = sum(1 for t in kept for c in t if c in UPPER) / letters
        nal_r = (sum(len(t) for t in raw) - letters) / letters
    else:
        cap_r = nal_r = 0.0
    lowered = {t.lower() for t in kept}
    return [cap_r, nal_r] + [1 if w in lowered else 0 for w in CUE_WORDS]


# pieces of the random strings: cue words, clitics, quotes, punctuation NLTK splits at or not,
# white space by Python's and JavaScript's rules, letters by Python's upper(), sentence ends
FUZZ_PIECES = ['free', 'FREE', 'Win', 'win', 'won', 'winner', 'cash', 'money', 'prize', 'x', 'st', 'Dr', 'a', 'I', '5', '10', '\u0663',
               "'s", "'S", "'ll", "'re", "n't", "'", "''", '"', '`', '``', '\u201c', '\u201d', '\u2018', '\u2019', '\u00ab', '\u00bb', '\u201e',
               '.', '..', '...', '. .', ',', ':', ';', '*', '--', '-', '(', ')', '[', ']', '{', '}', '<', '>', '?', '!', '@', '#', '$', '%', '&',
               ' ', ' ', ' ', '  ', '\n', '\t', '\x1c', '\x85', '\ufeff', '\xa0', '\u2028', '\u0131', '\u017f', '\u0130', '\u212a',
               '\U0001F600', '_', '\u00e9', "win's.", ".'", '.:5', "St.'", "cash'll.", '. Now', '.) ', "' ", 'x..Cash', '5.', 'a.', 'inc.', 'U.S.']


def fuzz_cases(n, seed, split):
    import random
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        t = ''.join(rnd.choice(FUZZ_PIECES) for _ in range(rnd.randint(1, 14)))
        out.append([t] + [float(f'{v:.12g}') for v in features(t, split)])
    return out


def read_dataset(path):
    with open(path, encoding='utf8', newline='') as f:
        return [(r['sms_id'], r['text']) for r in csv.DictReader(f)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dataset')
    ap.add_argument('--fixture')
    ap.add_argument('--sentences', default='punkt', choices=['punkt', 'none', 'all'])
    ap.add_argument('--compare-modes', action='store_true')
    ap.add_argument('--text', nargs='*')
    ap.add_argument('--fuzz', type=int)
    ap.add_argument('--seed', type=int, default=7)
    a = ap.parse_args()
    print(f'nltk {nltk.__version__} from {nltk.__file__}', file=sys.stderr)
    if a.text is not None:
        split = sentence_splitter(a.sentences)
        for t in a.text:
            print(json.dumps(t), json.dumps(features(t, split)))
        return
    if a.fuzz:
        cases = fuzz_cases(a.fuzz, a.seed, sentence_splitter(a.sentences))
        with gzip.open(a.fixture, 'wt', encoding='utf8') as f:
            json.dump({'generator': f'scripts/reference/v1_features.py --fuzz {a.fuzz} --seed {a.seed}', 'nltk': nltk.__version__, 'sentences': a.sentences,
                       'columns': ['text', 'cap_r', 'nal_r'] + [f'cw_scores_{i}' for i in range(7)], 'cases': cases}, f, separators=(',', ':'))
        print(f'wrote {len(cases)} strings to {a.fixture}', file=sys.stderr)
        return
    rows = read_dataset(a.dataset)
    if a.compare_modes:
        modes = {m: sentence_splitter(m) for m in ('none', 'all', 'punkt')}
        differ = 0
        for sms_id, text in rows:
            out = {m: features(text, s) for m, s in modes.items()}
            if out['none'] != out['all'] or out['none'] != out['punkt']:
                differ += 1
                print(sms_id, json.dumps(text), out)
        print(f'{differ} of {len(rows)} messages change with sentence splitting')
        return
    split = sentence_splitter(a.sentences)
    # 12 significant digits: the tests compare at 1e-9
    fixture = {sms_id: [float(f'{v:.12g}') for v in f[:2]] + [int(''.join(map(str, f[2:])), 2)] for sms_id, text in rows for f in [features(text, split)]}
    with gzip.open(a.fixture, 'wt', encoding='utf8') as f:
        json.dump({'generator': 'scripts/reference/v1_features.py', 'nltk': nltk.__version__, 'sentences': a.sentences, 'cue_bits': 'cw_scores_0 is the highest bit of 7', 'features': fixture}, f, separators=(',', ':'))
    print(f'wrote {len(fixture)} messages to {a.fixture}', file=sys.stderr)


if __name__ == '__main__':
    main()
