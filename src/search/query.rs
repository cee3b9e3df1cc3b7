//! The small query language users type: words (all must match), `"a phrase"`, `-word` or
//! `-"a phrase"` to exclude, `OR` between alternatives, and parentheses. Any input parses: stray
//! quotes, parentheses and operators are forgiven, control characters are spaces, and the size
//! is bounded, so no input can make the search fail, hang or panic.

/// A parsed query, before analysis.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// One word as typed.
    Word(String),
    /// The text between quotes.
    Phrase(String),
    /// Every part must match; `Not` parts must not.
    And(Vec<Expr>),
    /// Any part may match.
    Or(Vec<Expr>),
    /// Excludes what it holds (only meaningful inside `And`).
    Not(Box<Expr>),
}

/// Input beyond this many bytes is ignored: no one types more, and it bounds the work.
const MAX_INPUT: usize = 1000;
/// At most this many words and phrases are used.
const MAX_TOKENS: usize = 32;
/// Parentheses nested deeper than this are read as plain grouping.
const MAX_DEPTH: usize = 8;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Phrase(String),
    Minus,
    Or,
    Open,
    Close,
}

fn truncate(input: &str) -> &str {
    if input.len() <= MAX_INPUT {
        return input;
    }
    let mut end = MAX_INPUT;
    while !input.is_char_boundary(end) {
        end -= 1;
    }
    &input[..end]
}

fn tokenize(input: &str) -> Vec<Token> {
    let cleaned: String = truncate(input)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut tokens = Vec::new();
    let mut chars = cleaned.chars().peekable();
    let mut content_tokens = 0;
    while let Some(&c) = chars.peek() {
        if content_tokens >= MAX_TOKENS {
            break;
        }
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '"' | '\u{201c}' | '\u{201d}' => {
                chars.next();
                let phrase: String = chars
                    .by_ref()
                    .take_while(|&c| !matches!(c, '"' | '\u{201c}' | '\u{201d}'))
                    .collect();
                tokens.push(Token::Phrase(phrase));
                content_tokens += 1;
            }
            '(' => {
                chars.next();
                tokens.push(Token::Open);
            }
            ')' => {
                chars.next();
                tokens.push(Token::Close);
            }
            '-' => {
                chars.next();
                // A minus starts an exclusion only when something follows it directly.
                if chars
                    .peek()
                    .is_some_and(|next| !next.is_whitespace() && *next != '-')
                {
                    tokens.push(Token::Minus);
                }
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '"' | '(' | ')' | '\u{201c}' | '\u{201d}') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                match word.as_str() {
                    "OR" | "||" | "|" => tokens.push(Token::Or),
                    "AND" | "&&" | "&" => {}
                    "NOT" => tokens.push(Token::Minus),
                    _ => {
                        tokens.push(Token::Word(word));
                        content_tokens += 1;
                    }
                }
            }
        }
    }
    tokens
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.position).cloned();
        self.position += 1;
        token
    }

    /// alternatives := sequence (OR sequence)*
    fn alternatives(&mut self, depth: usize) -> Option<Expr> {
        let mut options = Vec::new();
        loop {
            if let Some(sequence) = self.sequence(depth) {
                options.push(sequence);
            }
            match self.peek() {
                Some(Token::Or) => {
                    self.next();
                }
                _ => break,
            }
        }
        match options.len() {
            0 => None,
            1 => options.pop(),
            _ => Some(Expr::Or(options)),
        }
    }

    /// sequence := unary+ (stops at OR, a closing parenthesis, or the end)
    fn sequence(&mut self, depth: usize) -> Option<Expr> {
        let mut parts = Vec::new();
        while let Some(token) = self.peek() {
            match token {
                Token::Or => break,
                Token::Close if depth > 0 => break,
                Token::Close => {
                    self.next(); // a stray closing parenthesis at the top: ignore it
                }
                _ => {
                    if let Some(part) = self.unary(depth) {
                        parts.push(part);
                    }
                }
            }
        }
        match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(Expr::And(parts)),
        }
    }

    /// unary := '-' atom | atom
    fn unary(&mut self, depth: usize) -> Option<Expr> {
        let mut negated = false;
        while self.peek() == Some(&Token::Minus) {
            self.next();
            negated = !negated;
        }
        let atom = self.atom(depth)?;
        Some(if negated {
            Expr::Not(Box::new(atom))
        } else {
            atom
        })
    }

    /// atom := word | phrase | '(' alternatives ')'
    fn atom(&mut self, depth: usize) -> Option<Expr> {
        match self.next()? {
            Token::Word(word) => Some(Expr::Word(word)),
            Token::Phrase(phrase) if phrase.trim().is_empty() => None,
            Token::Phrase(phrase) => Some(Expr::Phrase(phrase)),
            // Deeper than this, a parenthesis groups nothing: bounded recursion.
            Token::Open if depth >= MAX_DEPTH => None,
            Token::Open => {
                let inner = self.alternatives(depth + 1);
                if self.peek() == Some(&Token::Close) {
                    self.next();
                }
                inner
            }
            // An operator where a word belongs (`- OR`, `(-)`) stands for nothing.
            Token::Minus | Token::Or | Token::Close => None,
        }
    }
}

/// Parses what a user typed; `None` when it holds nothing to search for.
pub fn parse(input: &str) -> Option<Expr> {
    let mut parser = Parser {
        tokens: tokenize(input),
        position: 0,
    };
    let mut parts = Vec::new();
    while parser.position < parser.tokens.len() {
        if let Some(expr) = parser.alternatives(0) {
            parts.push(expr);
        } else {
            parser.next();
        }
    }
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(Expr::And(parts)),
    }
}

#[cfg(test)]
mod tests {
    use super::Expr::*;
    use super::*;

    fn word(text: &str) -> Expr {
        Word(text.into())
    }

    #[test]
    fn words_are_anded() {
        assert_eq!(
            parse("teen services"),
            Some(And(vec![word("teen"), word("services")]))
        );
    }

    #[test]
    fn phrases_exclusions_alternatives_and_groups() {
        assert_eq!(
            parse("\"readers advisory\" -children (online OR hybrid)"),
            Some(And(vec![
                Phrase("readers advisory".into()),
                Not(Box::new(word("children"))),
                Or(vec![word("online"), word("hybrid")]),
            ]))
        );
    }

    #[test]
    fn malformed_input_is_forgiven() {
        assert_eq!(
            parse("\"unbalanced quote"),
            Some(Phrase("unbalanced quote".into()))
        );
        assert_eq!(
            parse("((grant writing"),
            Some(And(vec![word("grant"), word("writing")]))
        );
        assert_eq!(parse("OR"), None);
        assert_eq!(parse("- OR ( ) \"\""), None);
        assert_eq!(parse("a:(^"), Some(And(vec![word("a:"), word("^")])));
        assert_eq!(parse("- *"), Some(word("*")));
        assert_eq!(parse("))) budget"), Some(word("budget")));
        assert_eq!(parse("budget OR"), Some(word("budget")));
    }

    #[test]
    fn size_and_depth_are_bounded() {
        let deep = "(".repeat(400) + "x" + &")".repeat(400);
        assert_eq!(parse(&deep), Some(word("x")));
        let long = "word ".repeat(5_000);
        match parse(&long) {
            Some(And(parts)) => assert_eq!(parts.len(), MAX_TOKENS),
            other => panic!("{other:?}"),
        }
        assert!(parse("\u{0}\u{7}budget\u{1b}").is_some());
        assert_eq!(parse(&"é".repeat(2000)).map(|_| ()), Some(()));
    }
}
