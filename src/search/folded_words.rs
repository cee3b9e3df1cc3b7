//! The words of a text, lowercased and folded to ASCII: exactly the tokens of tantivy's
//! `SimpleTokenizer`, `RemoveLongFilter::limit(40)`, `LowerCaser` and `AsciiFoldingFilter` in a
//! row, made in one pass. Those four read every character through `char::is_alphanumeric` and
//! then again per filter; they were a sixth of a reindex's work (callgrind). Here ASCII words,
//! nearly all of a catalog's, are found and lowercased a byte at a time; a word with any other
//! character is lowercased and folded by tantivy's own filters, so every token is theirs.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer,
};

/// Words of this many bytes or more are left out, as `RemoveLongFilter::limit(40)` leaves them.
const LONGEST: usize = 40;

/// Which bytes are ASCII letters and digits, looked up rather than compared: the loops over a
/// word's bytes are most of the tokenizer's work.
static ASCII_WORD_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 128 {
        table[byte] = (byte as u8).is_ascii_alphanumeric();
        byte += 1;
    }
    table
};

/// The tokenizer; its token and its folding analyzer are reused from one text to the next.
#[derive(Clone)]
pub struct FoldedWords {
    token: Token,
    /// Lowercases and folds a word with characters beyond ASCII, as the tantivy filters do.
    fold: TextAnalyzer,
}

impl Default for FoldedWords {
    fn default() -> Self {
        FoldedWords {
            token: Token::default(),
            fold: TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
        }
    }
}

impl Tokenizer for FoldedWords {
    type TokenStream<'a> = FoldedWordsStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FoldedWordsStream<'a> {
        self.token.reset();
        FoldedWordsStream {
            text,
            at: 0,
            token: &mut self.token,
            fold: &mut self.fold,
        }
    }
}

pub struct FoldedWordsStream<'a> {
    text: &'a str,
    /// Where the search for the next word starts, in bytes.
    at: usize,
    token: &'a mut Token,
    fold: &'a mut TextAnalyzer,
}

impl FoldedWordsStream<'_> {
    /// Whether the character at byte `at`, one beyond ASCII, is part of a word, and where the
    /// next character starts.
    fn classify_wide(&self, at: usize) -> (bool, usize) {
        let character = self.text[at..].chars().next().unwrap_or_default();
        (character.is_alphanumeric(), at + character.len_utf8())
    }

    /// The next word's bounds in bytes, from `self.at`. ASCII is read in tight loops over
    /// bytes; a character beyond it is decoded. The character that ends a word is passed over
    /// with it, as SimpleTokenizer passes it.
    fn next_word(&mut self) -> Option<(usize, usize)> {
        let bytes = self.text.as_bytes();
        let mut at = self.at;
        let from = loop {
            while at < bytes.len() && bytes[at].is_ascii() && !ASCII_WORD_BYTE[bytes[at] as usize] {
                at += 1;
            }
            if at == bytes.len() {
                self.at = at;
                return None;
            }
            if bytes[at].is_ascii() {
                break at;
            }
            match self.classify_wide(at) {
                (true, _) => break at,
                (false, next) => at = next,
            }
        };
        let mut to = from;
        loop {
            while to < bytes.len() && ASCII_WORD_BYTE[bytes[to] as usize] {
                to += 1;
            }
            if to == bytes.len() {
                self.at = to;
                return Some((from, to));
            }
            if bytes[to].is_ascii() {
                self.at = to + 1;
                return Some((from, to));
            }
            match self.classify_wide(to) {
                (true, next) => to = next,
                (false, next) => {
                    self.at = next;
                    return Some((from, to));
                }
            }
        }
    }

    /// Sets the token's text to the word's, lowercased and folded.
    fn set_text(&mut self, word: &str) {
        self.token.text.clear();
        if word.is_ascii() {
            self.token.text.push_str(word);
            self.token.text.make_ascii_lowercase();
            return;
        }
        let mut folded = self.fold.token_stream(word);
        if folded.advance() {
            self.token.text.push_str(&folded.token().text);
        }
    }
}

impl TokenStream for FoldedWordsStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            // Every word takes a position, a word left out for its length too.
            self.token.position = self.token.position.wrapping_add(1);
            let Some((from, to)) = self.next_word() else {
                self.token.text.clear();
                return false;
            };
            if to - from >= LONGEST {
                continue;
            }
            self.token.offset_from = from;
            self.token.offset_to = to;
            let text = self.text;
            self.set_text(&text[from..to]);
            return true;
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{RemoveLongFilter, SimpleTokenizer};

    /// Every token field, for comparing two tokenizers whole.
    fn tokens(
        analyzer: &mut TextAnalyzer,
        text: &str,
    ) -> Vec<(String, usize, usize, usize, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        while stream.advance() {
            let token = stream.token();
            tokens.push((
                token.text.clone(),
                token.offset_from,
                token.offset_to,
                token.position,
                token.position_length,
            ));
        }
        tokens
    }

    fn tantivys() -> TextAnalyzer {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build()
    }

    fn ours() -> TextAnalyzer {
        TextAnalyzer::builder(FoldedWords::default()).build()
    }

    fn assert_same(ours: &mut TextAnalyzer, tantivys: &mut TextAnalyzer, text: &str) {
        assert_eq!(tokens(ours, text), tokens(tantivys, text), "text: {text:?}");
    }

    #[test]
    fn makes_tantivys_tokens_of_hand_picked_texts() {
        let long = "a".repeat(39);
        let too_long = "b".repeat(40);
        let accented_long = format!("{}é", "c".repeat(38));
        let texts = [
            "",
            " ",
            "...,;",
            "Library",
            "Hello, happy TAX payer!",
            "E-rate & 501(c)(3) grants: 2027 cycle",
            "trailing space ",
            "ÀÉÎÕÜ çà et là: Ærøskøbing, straße, Œuvre",
            "ΣΟΦΙΑ σοφία İstanbul ǅemal",
            "cafe\u{301} nai\u{308}ve",
            "图书馆 librarians—teens…readers’ “quotes”",
            "emoji 📚books📚 and\u{a0}nbsp",
            "x²³ ½ Ⅻ ① ﬁne",
            &format!("{long} {too_long} {accented_long} end"),
            &too_long,
            "ends with accent é",
            "é",
            "\u{feff}bom",
        ];
        let (mut ours, mut tantivys) = (ours(), tantivys());
        for text in texts {
            assert_same(&mut ours, &mut tantivys, text);
        }
    }

    /// Texts of random words, up to a few past the longest kept, between random separators,
    /// of ASCII and of characters that lowercase, fold, or stand apart.
    #[test]
    fn makes_tantivys_tokens_of_random_texts() {
        let letters: Vec<char> = "aZq09éÉßøİıΣς📚ﬁ½\u{301}图Ⅻ".chars().collect();
        let separators: Vec<char> = " -.,'\t\n—’\u{a0}".chars().collect();
        let mut random = fastrand::Rng::with_seed(7);
        let (mut ours, mut tantivys) = (ours(), tantivys());
        for _ in 0..5_000 {
            let mut text = String::new();
            for _ in 0..random.usize(0..6) {
                let (pick, length) = match random.u8(0..4) {
                    0 => (&separators, random.usize(1..3)),
                    _ => (&letters, random.usize(0..(LONGEST + 4))),
                };
                text.extend((0..length).map(|_| pick[random.usize(0..pick.len())]));
                text.push(separators[random.usize(0..separators.len())]);
            }
            assert_same(&mut ours, &mut tantivys, &text);
        }
    }

    #[test]
    fn a_stream_reused_starts_its_positions_again() {
        let mut ours = ours();
        assert_eq!(tokens(&mut ours, "one two")[1].3, 1);
        assert_eq!(tokens(&mut ours, "three four")[0].3, 0);
    }
}
