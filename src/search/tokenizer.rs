//! Owns text analysis: the CJK-bigram / Latin-word tokenizer used for both indexing and querying.
//!
//! Chinese has no spaces, so a word tokenizer would see a whole sentence as one "word" and
//! a dictionary segmenter would need a large dictionary. Like Lucene's `CJKAnalyzer` we instead
//! index overlapping character bigrams of every CJK run: any substring of two or more characters
//! is then an exact *phrase* of bigrams, which is what a presales user typing `派工原则` expects.
//!
//! Two modes exist because bigrams alone cannot answer a one-character query such as `库`
//! when it only occurs inside a longer run (`数据库` is indexed as `数据 据库`). The index
//! therefore keeps a second copy of title and body analysed with [`CjkMode::Unigram`]
//! (one token per CJK character); the query side routes any clause that contains a lone CJK
//! character to those unigram fields. See `query.rs`.

use tantivy::tokenizer::{
    LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager,
};

/// Name of the bigram analyser in tantivy's tokenizer registry (title/body fields).
pub const CJK_TOKENIZER: &str = "cjk";
/// Name of the unigram analyser (title_uni/body_uni fields, one-character queries).
pub const CJK_UNIGRAM_TOKENIZER: &str = "cjk_unigram";
/// Name of the case-insensitive exact-match analyser used by filter fields
/// (kind, category, status, products, tags).
pub const KEYWORD_TOKENIZER: &str = "keyword_lower";

/// Latin/other words longer than this many bytes are dropped: they are almost always
/// pasted hashes or base64 blobs, and tantivy itself refuses terms above 65 530 bytes.
pub const MAX_WORD_BYTES: usize = 255;

/// How runs of CJK characters are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CjkMode {
    /// Overlapping bigrams (a run of one character yields that character).
    Bigram,
    /// One token per character.
    Unigram,
}

/// Character classes the tokenizer cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Cjk,
    Word,
    Other,
}

/// True for Han ideographs, Hiragana, Katakana and Hangul — the scripts written without
/// spaces (Hangul does use spaces, but Lucene's CJK bigramming treats it the same way and
/// consistency matters more than perfection here).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3005 | 0x3007                 // 々 〇: ideographic iteration mark / zero
        | 0x3021..=0x3029               // Hangzhou numerals
        | 0x3040..=0x309F               // Hiragana
        | 0x30A0..=0x30FF               // Katakana (incl. ー)
        | 0x3100..=0x312F               // Bopomofo
        | 0x3130..=0x318F               // Hangul compatibility jamo
        | 0x31A0..=0x31BF               // Bopomofo extended
        | 0x31F0..=0x31FF               // Katakana phonetic extensions
        | 0x3400..=0x4DBF               // CJK ext A
        | 0x4E00..=0x9FFF               // CJK unified ideographs
        | 0xA960..=0xA97F               // Hangul jamo extended-A
        | 0xAC00..=0xD7AF               // Hangul syllables
        | 0xD7B0..=0xD7FF               // Hangul jamo extended-B
        | 0xF900..=0xFAFF               // CJK compatibility ideographs
        | 0xFF66..=0xFF9F               // halfwidth Katakana
        | 0xFFA0..=0xFFDC               // halfwidth Hangul
        | 0x1100..=0x11FF               // Hangul jamo
        | 0x1B000..=0x1B16F             // Kana supplement / extended-A
        | 0x20000..=0x2FA1F             // CJK ext B..F + compatibility supplement
        | 0x30000..=0x323AF // CJK ext G, H
    )
}

fn classify(c: char) -> Class {
    // The CJK blocks also hold punctuation and combining marks (`・`, `゠`, U+3099): those
    // separate tokens like any other punctuation instead of becoming one-mark "words".
    if is_cjk(c) && c.is_alphanumeric() {
        Class::Cjk
    } else if c.is_alphanumeric() {
        Class::Word
    } else {
        Class::Other
    }
}

/// Maps fullwidth ASCII (`ＡＰＩ１２３`, common in Chinese IMEs) to plain ASCII so that it
/// matches what users type on a Latin keyboard. Offsets are unaffected: only token text changes.
fn fold_fullwidth(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Lowercased, fullwidth-folded and lightly stemmed text of a word run.
pub(crate) fn normalize_word(word: &str) -> String {
    // `str::to_lowercase` (not per-char) so that context rules such as Greek final sigma apply.
    let lower = word
        .chars()
        .map(fold_fullwidth)
        .collect::<String>()
        .to_lowercase();
    stem(lower)
}

/// English plurals to their singular, minimally (after Lucene's EnglishMinimalStemmer, plus
/// `-xes`/`-ches`/`-shes`/`-sses` and a few Latin plurals): `backups` → `backup`,
/// `policies` → `policy`, `indexes`/`indices` → `index`. Only plain ASCII words of four
/// letters or more; words with digits (`k8s`) are left alone.
fn stem(word: String) -> String {
    let b = word.as_bytes();
    let n = b.len();
    if n < 4 || !b.iter().all(u8::is_ascii_lowercase) || b[n - 1] != b's' {
        return word;
    }
    match word.as_str() {
        "indices" | "indexes" => return "index".into(),
        "matrices" => return "matrix".into(),
        "vertices" => return "vertex".into(),
        "appendices" => return "appendix".into(),
        _ => {}
    }
    for suffix in ["sses", "ches", "shes", "xes"] {
        if word.ends_with(suffix) {
            return word[..n - 2].to_string();
        }
    }
    match b[n - 2] {
        b'u' | b's' => word,
        b'e' if n > 4 && b[n - 3] == b'i' && !matches!(b[n - 4], b'a' | b'e') => {
            format!("{}y", &word[..n - 3])
        }
        b'e' if matches!(b[n - 3], b'i' | b'a' | b'o' | b'e') => word,
        _ => word[..n - 1].to_string(),
    }
}

/// Tokenizes `text` eagerly. Positions are consecutive (0, 1, 2, …) across the whole text —
/// punctuation does not leave gaps — and offsets are byte offsets into `text`.
pub fn tokenize(text: &str, mode: CjkMode) -> Vec<Token> {
    let mut out = Vec::new();
    tokenize_into(text, mode, &mut out);
    out
}

fn push(out: &mut Vec<Token>, text: String, from: usize, to: usize) {
    let position = out.len();
    out.push(Token {
        offset_from: from,
        offset_to: to,
        position,
        text,
        position_length: 1,
    });
}

fn tokenize_into(text: &str, mode: CjkMode, out: &mut Vec<Token>) {
    out.clear();
    // (byte offset, char) of the CJK run being accumulated.
    let mut run: Vec<(usize, char)> = Vec::new();
    let mut word_start: Option<usize> = None;

    let flush_run = |run: &mut Vec<(usize, char)>, out: &mut Vec<Token>| {
        match (mode, run.len()) {
            (_, 0) => {}
            (CjkMode::Bigram, 1) | (CjkMode::Unigram, _) => {
                for &(off, c) in run.iter() {
                    push(out, c.to_string(), off, off + c.len_utf8());
                }
            }
            (CjkMode::Bigram, _) => {
                for pair in run.windows(2) {
                    let (off, a) = pair[0];
                    let (off_b, b) = pair[1];
                    let mut s = String::with_capacity(a.len_utf8() + b.len_utf8());
                    s.push(a);
                    s.push(b);
                    push(out, s, off, off_b + b.len_utf8());
                }
            }
        }
        run.clear();
    };
    let flush_word = |start: &mut Option<usize>, end: usize, out: &mut Vec<Token>| {
        if let Some(from) = start.take() {
            let word = &text[from..end];
            if word.len() <= MAX_WORD_BYTES {
                push(out, normalize_word(word), from, end);
            }
        }
    };

    for (off, c) in text.char_indices() {
        match classify(c) {
            Class::Cjk => {
                flush_word(&mut word_start, off, out);
                run.push((off, c));
            }
            Class::Word => {
                flush_run(&mut run, out);
                if word_start.is_none() {
                    word_start = Some(off);
                }
            }
            Class::Other => {
                flush_run(&mut run, out);
                flush_word(&mut word_start, off, out);
            }
        }
    }
    flush_run(&mut run, out);
    flush_word(&mut word_start, text.len(), out);
}

/// tantivy [`Tokenizer`] wrapping [`tokenize`]. Registered as [`CJK_TOKENIZER`] (bigram) and
/// [`CJK_UNIGRAM_TOKENIZER`] (unigram).
#[derive(Debug, Clone)]
pub struct CjkBigramTokenizer {
    mode: CjkMode,
    // Reused between calls so indexing does not allocate a fresh Vec per field value.
    buffer: Vec<Token>,
}

impl CjkBigramTokenizer {
    /// Bigram mode (the main analyser).
    pub fn bigram() -> Self {
        Self::with_mode(CjkMode::Bigram)
    }

    /// Unigram mode (for one-character queries).
    pub fn unigram() -> Self {
        Self::with_mode(CjkMode::Unigram)
    }

    /// Explicit mode.
    pub fn with_mode(mode: CjkMode) -> Self {
        Self {
            mode,
            buffer: Vec::new(),
        }
    }
}

impl Default for CjkBigramTokenizer {
    fn default() -> Self {
        Self::bigram()
    }
}

/// Token stream over the pre-computed tokens of one text.
pub struct CjkTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    // Index of the *next* token; the current one is `next - 1`.
    next: usize,
}

impl Tokenizer for CjkBigramTokenizer {
    type TokenStream<'a> = CjkTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        tokenize_into(text, self.mode, &mut self.buffer);
        CjkTokenStream {
            tokens: &mut self.buffer,
            next: 0,
        }
    }
}

impl TokenStream for CjkTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    // tantivy only calls token()/token_mut() after advance() returned true; for a misbehaving
    // caller we still must not panic, so fall back to the last slot or a shared empty token.
    fn token(&self) -> &Token {
        static EMPTY: std::sync::OnceLock<Token> = std::sync::OnceLock::new();
        match self.next.checked_sub(1).and_then(|i| self.tokens.get(i)) {
            Some(t) => t,
            None => EMPTY.get_or_init(Token::default),
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        if self.tokens.is_empty() {
            self.tokens.push(Token::default());
        }
        let i = self.next.saturating_sub(1).min(self.tokens.len() - 1);
        &mut self.tokens[i]
    }
}

/// Registers the three analysers this module's schema refers to. Must be called on every
/// freshly opened `Index` before writing or searching, since tantivy does not persist them.
pub fn register_tokenizers(manager: &TokenizerManager) {
    manager.register(
        CJK_TOKENIZER,
        TextAnalyzer::from(CjkBigramTokenizer::bigram()),
    );
    manager.register(
        CJK_UNIGRAM_TOKENIZER,
        TextAnalyzer::from(CjkBigramTokenizer::unigram()),
    );
    manager.register(
        KEYWORD_TOKENIZER,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

#[cfg(test)]
mod stem_tests {
    use super::stem;

    #[test]
    fn plurals_meet_their_singular() {
        for (w, want) in [
            ("backups", "backup"),
            ("policies", "policy"),
            ("indices", "index"),
            ("indexes", "index"),
            ("switches", "switch"),
            ("classes", "class"),
            ("status", "status"),
            ("kubernetes", "kubernete"),
            ("https", "http"),
            ("k8s", "k8s"),
            ("bus", "bus"),
            ("data", "data"),
        ] {
            assert_eq!(stem(w.to_string()), want, "{w}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(text: &str, mode: CjkMode) -> Vec<(String, usize)> {
        tokenize(text, mode)
            .into_iter()
            .map(|t| (t.text, t.position))
            .collect()
    }

    fn words(text: &str) -> Vec<String> {
        tokenize(text, CjkMode::Bigram)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn chinese_bigrams_with_positions() {
        let expected: Vec<(String, usize)> = ["派工", "工原", "原则", "则是", "是轮", "轮流"]
            .iter()
            .enumerate()
            .map(|(i, s)| (s.to_string(), i))
            .collect();
        assert_eq!(texts("派工原则是轮流", CjkMode::Bigram), expected);
    }

    #[test]
    fn mixed_latin_inside_chinese() {
        assert_eq!(
            texts("使用API接口", CjkMode::Bigram),
            vec![
                ("使用".to_string(), 0),
                ("api".to_string(), 1),
                ("接口".to_string(), 2)
            ]
        );
    }

    #[test]
    fn single_cjk_char_run_is_unigram() {
        assert_eq!(words("库"), vec!["库"]);
        assert_eq!(words("A库B"), vec!["a", "库", "b"]);
        assert_eq!(words("数据，库"), vec!["数据", "库"]);
    }

    #[test]
    fn unigram_mode_splits_every_char() {
        assert_eq!(
            texts("数据库 SQL", CjkMode::Unigram),
            vec![
                ("数".to_string(), 0),
                ("据".to_string(), 1),
                ("库".to_string(), 2),
                ("sql".to_string(), 3)
            ]
        );
    }

    #[test]
    fn offsets_are_byte_offsets_into_original() {
        let text = "Hi, 派工原则!";
        for t in tokenize(text, CjkMode::Bigram) {
            let slice = &text[t.offset_from..t.offset_to];
            assert_eq!(slice.to_lowercase(), t.text);
        }
        let toks = tokenize(text, CjkMode::Bigram);
        assert_eq!(toks[0].offset_from, 0);
        assert_eq!(toks[0].offset_to, 2);
        assert_eq!(toks[1].offset_from, 4); // "派" starts after "Hi, "
        assert_eq!(toks[1].offset_to, 10); // two 3-byte chars
    }

    #[test]
    fn punctuation_and_whitespace_dropped_positions_stay_consecutive() {
        let toks = tokenize("  Hello,   World!!  —  你好。世界 ", CjkMode::Bigram);
        let t: Vec<_> = toks.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(t, vec!["hello", "world", "你好", "世界"]);
        let p: Vec<_> = toks.iter().map(|t| t.position).collect();
        assert_eq!(p, vec![0, 1, 2, 3]);
    }

    #[test]
    fn lowercases_and_folds_fullwidth() {
        assert_eq!(
            words("ＡＰＩ Kubernetes ÉCOLE"),
            vec!["api", "kubernete", "école"]
        );
    }

    #[test]
    fn digits_are_words_and_mixed_alnum_stays_together() {
        assert_eq!(
            words("v2 release 2024年3月"),
            vec!["v2", "release", "2024", "年", "3", "月"]
        );
    }

    #[test]
    fn japanese_and_korean_runs_are_bigrammed() {
        assert_eq!(words("カタカナ"), vec!["カタ", "タカ", "カナ"]);
        assert_eq!(words("ひらがな"), vec!["ひら", "らが", "がな"]);
        assert_eq!(words("한국어"), vec!["한국", "국어"]);
        // Scripts mix inside one run, as in Lucene.
        assert_eq!(words("東京タワー"), vec!["東京", "京タ", "タワ", "ワー"]);
    }

    #[test]
    fn punctuation_and_marks_inside_cjk_blocks_are_separators() {
        // Regression: a lone combining voiced sound mark became a token of its own.
        assert!(words("\u{3099}").is_empty());
        assert_eq!(words("カタ・カナ"), vec!["カタ", "カナ"]);
    }

    #[test]
    fn empty_and_symbol_only_inputs() {
        assert!(words("").is_empty());
        assert!(words("!!! ,,, ——— 。。。 ").is_empty());
        assert!(words("\u{0}\u{1}\n\t").is_empty());
    }

    #[test]
    fn overlong_words_are_dropped_without_position_gap() {
        let long = "x".repeat(MAX_WORD_BYTES + 1);
        let toks = tokenize(&format!("a {long} b"), CjkMode::Bigram);
        let t: Vec<_> = toks.iter().map(|t| (t.text.as_str(), t.position)).collect();
        assert_eq!(t, vec![("a", 0), ("b", 1)]);
    }

    #[test]
    fn token_stream_matches_tokenize() {
        let mut tok = CjkBigramTokenizer::bigram();
        let text = "派工原则 API 库";
        let mut stream = tok.token_stream(text);
        let mut got = Vec::new();
        while let Some(t) = stream.next() {
            got.push(t.clone());
        }
        assert_eq!(got, tokenize(text, CjkMode::Bigram));
        // advance() after the end keeps returning false and token() does not panic.
        assert!(!stream.advance());
        let _ = stream.token();
    }

    #[test]
    fn token_access_before_advance_does_not_panic() {
        let mut tok = CjkBigramTokenizer::unigram();
        let mut stream = tok.token_stream("");
        let _ = stream.token();
        let _ = stream.token_mut();
    }

    #[test]
    fn registered_analyzers_produce_same_tokens() {
        let manager = TokenizerManager::default();
        register_tokenizers(&manager);
        let mut analyzer = manager.get(CJK_TOKENIZER).expect("registered");
        let mut stream = analyzer.token_stream("派工原则");
        let mut n = 0;
        while stream.advance() {
            n += 1;
        }
        assert_eq!(n, 3);
        let mut kw = manager.get(KEYWORD_TOKENIZER).expect("registered");
        let mut stream = kw.token_stream("Network Security");
        assert!(stream.advance());
        assert_eq!(stream.token().text, "network security");
    }

    fn check_invariants(text: &str, mode: CjkMode) {
        let toks = tokenize(text, mode);
        let mut last_pos: Option<usize> = None;
        let mut last_from = 0usize;
        for t in &toks {
            // positions strictly increasing, in fact consecutive
            if let Some(p) = last_pos {
                prop_assert_helper(t.position == p + 1, "positions consecutive");
            } else {
                prop_assert_helper(t.position == 0, "first position 0");
            }
            last_pos = Some(t.position);
            // offsets within bounds, non-empty, on char boundaries, non-decreasing
            prop_assert_helper(t.offset_from < t.offset_to, "non-empty span");
            prop_assert_helper(t.offset_to <= text.len(), "in bounds");
            prop_assert_helper(text.is_char_boundary(t.offset_from), "from boundary");
            prop_assert_helper(text.is_char_boundary(t.offset_to), "to boundary");
            prop_assert_helper(t.offset_from >= last_from, "offsets monotonic");
            last_from = t.offset_from;
            prop_assert_helper(!t.text.is_empty(), "non-empty text");
            prop_assert_helper(t.text == t.text.to_lowercase(), "lowercase");
            prop_assert_helper(
                t.text.chars().any(char::is_alphanumeric),
                "no pure punctuation token",
            );
        }
    }

    // A plain assert keeps the helper usable outside the proptest! macro; proptest still
    // catches the panic and shrinks the input.
    fn prop_assert_helper(ok: bool, what: &str) {
        assert!(ok, "invariant violated: {what}");
    }

    proptest! {
        #[test]
        fn prop_arbitrary_strings(text in any::<String>()) {
            check_invariants(&text, CjkMode::Bigram);
            check_invariants(&text, CjkMode::Unigram);
        }

        #[test]
        fn prop_mixed_cjk_latin(text in "[a-zA-Z0-9 ,.!？。、派工原则是轮流数据库カナ한국ＡＢ１ÉΣ]{0,64}") {
            check_invariants(&text, CjkMode::Bigram);
            check_invariants(&text, CjkMode::Unigram);
        }

        #[test]
        fn prop_cjk_run_bigram_count(run in "[派工原则是轮流数据库]{1,30}") {
            let n = run.chars().count();
            let toks = tokenize(&run, CjkMode::Bigram);
            prop_assert_eq!(toks.len(), if n == 1 { 1 } else { n - 1 });
            prop_assert_eq!(tokenize(&run, CjkMode::Unigram).len(), n);
        }

        #[test]
        fn prop_substring_bigrams_are_contiguous(text in "[派工原则是轮流数据库]{2,30}", a in 0usize..30, len in 2usize..10) {
            // Any substring's bigrams appear in the text's bigrams at consecutive positions,
            // which is what makes PhraseQuery == substring search.
            let chars: Vec<char> = text.chars().collect();
            let start = a % chars.len();
            let end = (start + len).min(chars.len());
            prop_assume!(end - start >= 2);
            let sub: String = chars[start..end].iter().collect();
            let doc = tokenize(&text, CjkMode::Bigram);
            let q = tokenize(&sub, CjkMode::Bigram);
            let found = doc.windows(q.len()).any(|w| {
                w.iter().zip(&q).all(|(d, q)| d.text == q.text)
                    && w.windows(2).all(|p| p[1].position == p[0].position + 1)
            });
            prop_assert!(found);
        }
    }
}
