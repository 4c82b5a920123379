/**
 * Features v1 (2019): capitalisation ratio, non-alphabetic ratio and the presence of seven
 * cue words, equal to the seed story's `Feature1Extractor` on every message of the dataset
 * (the test compares all 7,528 with values from scripts/reference/v1_features.py).
 *
 * The seed tokenises with NLTK 3.7's `word_tokenize` (punkt sentence splitting, then NLTK's
 * Treebank-style word tokenizer on each sentence) and keeps of each token the characters c whose
 * Python `c.upper()` is one of A-Z. Tokenizing only inserts white space and writes a straight
 * double quote as `` or '' (two characters), so cap_r and nal_r do not depend on where tokens
 * split: they come from one pass over the characters. The cue words do depend on it, so a text
 * whose letters contain a cue word at all is tokenized the NLTK way (nltkWordTokens below).
 *
 * Where Python's Unicode rules differ from JavaScript's we follow Python's, as the seed ran on it:
 * white space is str.isspace() (\x1c-\x1f and \x85 are spaces, U+FEFF is not: JavaScript's \s says
 * the opposite); the letters are ASCII plus 'ı' and 'ſ', whose upper() is 'I' and 'S'; NLTK's \w,
 * \d and \b are Unicode-wide (Unicode letters, numbers and _; decimal digits).
 */
import type { FeatureExtractor } from './types';

export const CUE_WORDS = ['free', 'money', 'prize', 'win', 'won', 'winner', 'cash'] as const;
export const FEATURES_V1 = ['cap_r', 'nal_r', ...CUE_WORDS.map((_, i) => `cw_scores_${i}`)];

/** Python's white space (str.isspace(), also re's \s and what str.split() splits on) */
export function isPySpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c >= 0x1c;
  if (c < 0x85) return false;
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}
const S = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_SPLIT = new RegExp(`[${S}]+`, 'u');
const TRAILING_SPACE = new RegExp(`[${S}]+$`, 'u');
// Python's \w (str.isalnum() or _), which in Unicode 14 is exactly letters, numbers and _
const W = '\\p{L}\\p{N}_';

const DOTLESS_I = 0x131;
const LONG_S = 0x17f;
// a cue word can only be a token if its letters occur together in the text's letter stream
const CUE_SCREEN = /free|money|prize|win|won|cash/;

export function extractV1(text: string): Record<string, number> {
  let total = 0;
  let letters = 0;
  let capitals = 0;
  // kept letters lower-cased, ' ' at white space, '_' for ı and ſ (letters that no cue word has)
  let stream = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x61 && c <= 0x7a) {
        letters++;
        total++;
        stream += text[i];
      } else if (c >= 0x41 && c <= 0x5a) {
        letters++;
        capitals++;
        total++;
        stream += String.fromCharCode(c + 32);
      } else if (isPySpace(c)) stream += ' ';
      else total += c === 0x22 ? 2 : 1;
    } else if (c === DOTLESS_I || c === LONG_S) {
      letters++;
      total++;
      stream += '_';
    } else if (isPySpace(c)) stream += ' ';
    else {
      total++;
      // a surrogate pair is one character in Python
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
    }
  }
  const out: Record<string, number> = {
    cap_r: letters > 0 ? capitals / letters : 0,
    nal_r: letters > 0 ? (total - letters) / letters : 0,
  };
  const found = CUE_SCREEN.test(stream) ? cueTokens(text) : undefined;
  CUE_WORDS.forEach((w, i) => {
    out[`cw_scores_${i}`] = found?.has(w) ? 1 : 0;
  });
  return out;
}

/** the lower-cased kept letters of each NLTK token */
function cueTokens(text: string): Set<string> {
  const found = new Set<string>();
  for (const tok of nltkWordTokens(text)) {
    let kept = '';
    for (const ch of tok) {
      const c = ch.charCodeAt(0);
      if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) kept += ch;
      else if (c === DOTLESS_I || c === LONG_S) kept += ch; // lower() keeps them as they are
    }
    if (kept) found.add(kept.toLowerCase());
  }
  return found;
}

// ---- NLTK 3.7's word_tokenize: punkt sentences, then the Treebank-style tokenizer -------------

/** a rule: its pattern, its replacement, and a character one of which any match contains */
type Rule = [RegExp, string, RegExp];
const rx = (source: string, flags = 'gu') => new RegExp(source, flags);
// The rules of NLTK's word tokenizer in its order, with Python's \s, \d, \w and \b. Its
// contractions (cannot, gonna, 'tis, ...) are left out: they split whole words that neither are
// nor contain a cue word, and only insert spaces. Each rule is tried only when the text holds a
// character its every match needs (a plain scan): most messages hold few of them, and the Unicode
// patterns were a fifth of the server's time on POST /model/v1/text_to_prediction.
const STARTING_QUOTES: Rule[] = [
  [rx('([«“‘„]|`+)'), ' $1 ', /[«“‘„`]/],
  [rx('^"', 'u'), '``', /^"/],
  [rx('(``)'), ' $1 ', /``/],
  [rx(`([ ([{<])("|'{2})`), '$1 `` ', /["']/],
  [rx(`(')(?!re|ve|ll|m|t|s|d|n)([${W}])(?![${W}])`, 'giu'), '$1 $2', /'/],
];
const PUNCTUATION: Rule[] = [
  [rx(`([^.])(\\.)([\\])}>"'»”’ ]*)[${S}]*$`, 'u'), '$1 $2 $3 ', /\./],
  [rx('([:,])([^\\p{Nd}])'), ' $1 $2', /[:,]/],
  // Python's $ also matches before a final newline
  [rx('([:,])(?=\\n?$)', 'u'), ' $1 ', /[:,]/],
  [rx('\\.{2,}'), ' $& ', /\.\./],
  [rx('[;@#$%&]'), ' $& ', /[;@#$%&]/],
  [rx(`([^.])(\\.)([\\])}>"']*)[${S}]*$`, 'u'), '$1 $2$3 ', /\./],
  [rx('[?!]'), ' $& ', /[?!]/],
  [rx("([^'])' "), "$1 ' ", /' /],
  [rx('[*]'), ' $& ', /\*/],
  [rx('[\\][(){}<>]'), ' $& ', /[\][(){}<>]/],
  [rx('--'), ' -- ', /--/],
];
const ENDING_QUOTES: Rule[] = [
  [rx('([»”’])'), ' $1 ', /[»”’]/],
  [rx("''"), " '' ", /''/],
  [rx('"'), " '' ", /"/],
  [rx("([^' ])('[sS]|'[mM]|'[dD]|') "), '$1 $2 ', /'/],
  [rx("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "), '$1 $2 ', /'/],
];

function applyRules(t: string, rules: Rule[]): string {
  for (const [re, to, needs] of rules) if (needs.test(t)) t = t.replace(re, to);
  return t;
}

function treebankTokens(sentence: string): string[] {
  let t = applyRules(applyRules(sentence, STARTING_QUOTES), PUNCTUATION);
  t = applyRules(` ${t} `, ENDING_QUOTES);
  return t.split(PY_SPLIT).filter((w) => w.length > 0);
}

export function nltkWordTokens(text: string): string[] {
  const out: string[] = [];
  for (const s of punktSentences(text)) out.push(...treebankTokens(s));
  return out;
}

// ---- punkt (NLTK 3.7) with the English model, as far as it can change the tokens' letters ----
//
// A break matters for the features only (a) after a '.' ending a word with a clitic ("win's.",
// "cash'll."): the sentence-final period rule then splits "'s" off; punkt always breaks there, as
// its token "'s." is no abbreviation; and (b) after a '.' directly followed by ' or : ("free.'cash"),
// where the break separates letters; punkt decides that by its first pass (abbreviations of the
// English model), initials and numbers. Elsewhere any decision gives the same letters, so every
// other candidate is taken as a break. Not modelled: an ellipsis directly followed by a capitalised
// word in the same chunk as case (b), which needs the model's orthographic statistics.

// punkt's characters that end a word and may follow a sentence end with no space between
const NON_WORD = new Set([')', '"', ';', '}', ']', '*', ':', '@', "'", '(', '{', '[', '?', '!']);
// the abbreviation types of NLTK's English punkt model (data of the model word_tokenize loads)
const ABBREVIATIONS = new Set(
  (
    'ct m.j t a.c n.h ms p.a.m dr pa p.m u.k st dec u.s.a lt g.k adm p h.m ga tenn yr sen n.c j.j d.h s.g inc vs s.p.a a.t n feb sr jan s.a.y n.y ' +
    'col g.f c.o.m.b d ft va r.k e.f chg r.i a.g minn a.h k n.j m l.f f.j gen i.m.s s.a aug j.p okla m.d.c ltd oct s vt r.a j.c ariz w.w b.v ore h w.r ' +
    'e.h mrs cie corp w n.v a.d r.j ok e.m w.c ill nov u.s prof conn u.s.s.r mg f.g ph.d g calif messrs h.f wash tues sw bros u.n l wis mr sep d.c ' +
    'ave e.l co s.s reps c r.t h.c r wed a.s v fla jr r.h c.v m.b.a rep a.a e c.i.t l.a b.f j.b d.w j.k ala f w.va sept mich n.m j.r l.p s.c colo ' +
    'fri a.m g.d kan maj ky a.m.e n.d t.j cos nev'
  ).split(' '),
).add('. . ');
const MULTI_CHAR = `(?:-{2,}|\\.{2,}|(?:\\.[${S}]){2,}\\.)`;
const NON_WORD_CLASS = `[)";}\\]*:@'({\\[?!]`;
// punkt's word tokenizer: multi-character punctuation, a word up to its end, or one character
const PUNKT_WORD = rx(
  `${MULTI_CHAR}|(?=[^("\`{[:;&#*@)}\\]\\-,])[^${S}]+?(?=[${S}]|$|${NON_WORD_CLASS}|${MULTI_CHAR}|,(?=$|[${S}]|${NON_WORD_CLASS}|${MULTI_CHAR}))|[^${S}]`,
);
const INITIAL = /^[\p{L}\p{Nl}\p{No}_]\.$/u;
const NUMBER = /^-?[.,]?\p{Nd}[\p{Nd},.-]*\.?$/u;
const REALIGN = new RegExp(`^["')\\]}]+?(?:[${S}]+|(?=--)|$)`, 'u');

/** punkt's decision on a context (word before, '.', one non-word character): a break? */
function punktBreakBeforeNonWord(context: string): boolean {
  const toks = context.match(PUNKT_WORD) ?? [];
  // a break if any token but the last is one
  for (let k = 0; k < toks.length - 1; k++) {
    const tok = toks[k];
    if (tok === '.' || tok === '?' || tok === '!') return true;
    if (!tok.endsWith('.') || tok.endsWith('..')) continue; // ellipses and words without a final period
    const body = tok.slice(0, -1).toLowerCase();
    if (ABBREVIATIONS.has(body) || ABBREVIATIONS.has(body.slice(body.lastIndexOf('-') + 1))) continue;
    // an initial or a number is no break before a punctuation mark
    if ((INITIAL.test(tok) || NUMBER.test(tok.toLowerCase())) && ';:,.!?'.includes(toks[k + 1]) && toks[k + 1].length === 1) continue;
    return true;
  }
  return false;
}

function punktSentences(text: string): string[] {
  if (!/[.?!]/.test(text)) return [text.replace(TRAILING_SPACE, '')];
  // candidates: . ? ! followed by a non-word character, or by white space and more text
  const cands: { at: number; nextTok: number; before: string; beforeStart: number }[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '.' && ch !== '?' && ch !== '!') continue;
    if (NON_WORD.has(text[i + 1])) cands.push({ at: i, nextTok: -1, before: '', beforeStart: 0 });
    else if (i + 1 < text.length && isPySpace(text.charCodeAt(i + 1))) {
      let j = i + 1;
      while (j < text.length && isPySpace(text.charCodeAt(j))) j++;
      if (j < text.length) cands.push({ at: i, nextTok: j, before: '', beforeStart: 0 });
    }
  }
  // NLTK 3.7 drops a candidate that lies in the word before the next kept one (right to left)
  const kept: typeof cands = [];
  for (let k = cands.length - 1; k >= 0; k--) {
    const c = cands[k];
    if (kept.length && c.at + 1 > kept[kept.length - 1].beforeStart) continue;
    let e = c.at;
    while (e > 0 && isPySpace(text.charCodeAt(e - 1))) e--;
    let s = e;
    while (s > 0 && !isPySpace(text.charCodeAt(s - 1))) s--;
    let p = s;
    while (p > 0 && isPySpace(text.charCodeAt(p - 1))) p--;
    c.before = text.slice(s, e);
    c.beforeStart = p;
    kept.push(c);
  }
  kept.reverse();
  const slices: [number, number][] = [];
  let last = 0;
  for (const c of kept) {
    const decided = text[c.at] === '.' && c.nextTok < 0;
    if (decided && !punktBreakBeforeNonWord(c.before + text.slice(c.at, c.at + 2))) continue;
    slices.push([last, c.at + 1]);
    last = c.nextTok < 0 ? c.at + 1 : c.nextTok;
  }
  slices.push([last, text.replace(TRAILING_SPACE, '').length]);
  // closing quotes and brackets after a break (and their space) belong to the sentence before
  const out: string[] = [];
  let shift = 0;
  for (let k = 0; k < slices.length; k++) {
    const start = slices[k][0] + shift;
    if (k + 1 === slices.length) {
      if (slices[k][1] > start) out.push(text.slice(start, slices[k][1]));
      break;
    }
    const m = REALIGN.exec(text.slice(slices[k + 1][0], slices[k + 1][1]));
    if (m) {
      out.push(text.slice(start, slices[k + 1][0] + m[0].replace(TRAILING_SPACE, '').length));
      shift = m[0].length;
    } else {
      shift = 0;
      if (slices[k][1] > start) out.push(text.slice(start, slices[k][1]));
    }
  }
  return out;
}

export class FeatureExtractorV1 implements FeatureExtractor {
  readonly id = 'features_v1@1';
  featureNames(): string[] {
    return [...FEATURES_V1];
  }
  extract(text: string): Record<string, number> {
    return extractV1(text);
  }
  extractList(text: string): number[] {
    const f = extractV1(text);
    return FEATURES_V1.map((n) => f[n]);
  }
}
