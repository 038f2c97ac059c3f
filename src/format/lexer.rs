//! The tokens of HCL's native syntax, as the formatter needs them: every byte of the
//! input is in exactly one token or in the blanks before one, so that printing the tokens
//! with their blanks gives the input back. Templates (quoted strings and heredocs) are
//! split into their literal parts and the interpolations and directives inside them.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    OQuote,
    CQuote,
    /// `<<EOT` or `<<-EOT` with the newline after it.
    OHeredoc,
    /// The closing marker of a heredoc, with the blanks before it on its line.
    CHeredoc,
    Star,
    Slash,
    Plus,
    Minus,
    Percent,
    Equal,
    EqualOp,
    NotEqual,
    LessThan,
    LessThanEq,
    GreaterThan,
    GreaterThanEq,
    And,
    Or,
    Bang,
    Dot,
    Comma,
    Ellipsis,
    FatArrow,
    Question,
    Colon,
    DoubleColon,
    /// `${` (or `${~`).
    TemplateInterp,
    /// `%{` (or `%{~`).
    TemplateControl,
    /// The `}` (or `~}`) that ends an interpolation or directive.
    TemplateSeqEnd,
    /// Literal text of a quoted template.
    QuotedLit,
    /// Literal text of a heredoc.
    StringLit,
    NumberLit,
    Ident,
    /// `# …` and `// …` with their newline; `/* … */`.
    Comment,
    Newline,
    /// A byte the grammar has no token for (kept as it is).
    Invalid,
    /// The end of the input, holding the blanks after the last line (kept as written,
    /// as Terraform keeps them).
    Eof,
}

/// A token: slices of the text it was lexed from (no copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: Kind,
    /// The token's text.
    pub text: &'a str,
    /// The blanks before it as the formatter sets them (at first, as many as written).
    pub spaces: usize,
    /// The blanks as written (kept where the formatter does not change them).
    pub blanks: &'a str,
}

impl Token<'_> {
    /// Whether the token ends a line: a newline, or a line comment (which holds its
    /// newline).
    pub fn ends_line(&self) -> bool {
        self.kind == Kind::Newline || (self.kind == Kind::Comment && self.text.ends_with('\n'))
    }

    /// How the token changes the depth of brackets: `{`, `[`, `(`, `${` and `%{` open;
    /// their closers close.
    pub fn bracket_change(&self) -> i32 {
        match self.kind {
            Kind::OBrace
            | Kind::OBrack
            | Kind::OParen
            | Kind::TemplateInterp
            | Kind::TemplateControl => 1,
            Kind::CBrace | Kind::CBrack | Kind::CParen | Kind::TemplateSeqEnd => -1,
            _ => 0,
        }
    }
}

/// What the lexer is inside of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode<'a> {
    /// Expressions and structure; the count of `{` opened inside an interpolation (at
    /// the top level, none is counted).
    Normal { braces: usize, interp: bool },
    /// A quoted template.
    Quoted,
    /// A heredoc whose closing marker is this.
    Heredoc { marker: &'a str },
}

pub fn lex(src: &str) -> Vec<Token<'_>> {
    let mut lexer = Lexer {
        src,
        at: 0,
        // About one token per four bytes in Terraform.
        out: Vec::with_capacity(src.len() / 4 + 8),
        modes: vec![Mode::Normal {
            braces: 0,
            interp: false,
        }],
        line_start: true,
    };
    lexer.run();
    lexer.out
}

struct Lexer<'a> {
    src: &'a str,
    at: usize,
    out: Vec<Token<'a>>,
    modes: Vec<Mode<'a>>,
    /// At the start of a line (a heredoc's closing marker may begin here).
    line_start: bool,
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        let src: &'a str = self.src;
        &src[self.at..]
    }

    fn push(&mut self, kind: Kind, len: usize, blanks: &'a str) {
        let src: &'a str = self.src;
        let text = &src[self.at..self.at + len];
        let spaces = blanks.len();
        self.at += len;
        self.line_start = text.ends_with('\n');
        self.out.push(Token {
            kind,
            text,
            spaces,
            blanks,
        });
    }

    fn run(&mut self) {
        while self.at < self.src.len() {
            match self.modes.last().copied() {
                Some(Mode::Quoted) => self.quoted(),
                Some(Mode::Heredoc { marker }) => self.heredoc(marker),
                _ => self.normal(),
            }
        }
    }

    /// A literal run of a template, up to `"` (quoted only), `${`, `%{` or, for a
    /// heredoc, the end of the line; escapes (`\"`, `$${`, `%%{`) stay in the literal.
    fn literal_len(&self, quoted: bool) -> usize {
        let bytes = self.rest().as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if quoted => i += 2,
                b'"' if quoted => break,
                b'\n' if !quoted => {
                    i += 1;
                    break;
                }
                b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => break,
                b'$' if bytes.get(i + 1) == Some(&b'$') && bytes.get(i + 2) == Some(&b'{') => {
                    i += 3
                }
                b'%' if bytes.get(i + 1) == Some(&b'%') && bytes.get(i + 2) == Some(&b'{') => {
                    i += 3
                }
                // A newline in a quoted string is an error; it ends the literal so that
                // the rest is still lexed.
                b'\n' => break,
                _ => i += 1,
            }
        }
        // Never inside a character.
        let mut i = i.min(bytes.len());
        while !self.rest().is_char_boundary(i) {
            i += 1;
        }
        i
    }

    fn template_open(&mut self) -> bool {
        let rest = self.rest();
        let kind = if rest.starts_with("${") {
            Kind::TemplateInterp
        } else if rest.starts_with("%{") {
            Kind::TemplateControl
        } else {
            return false;
        };
        let len = if rest[2..].starts_with('~') { 3 } else { 2 };
        self.push(kind, len, "");
        self.modes.push(Mode::Normal {
            braces: 0,
            interp: true,
        });
        true
    }

    fn quoted(&mut self) {
        if self.rest().starts_with('"') {
            self.push(Kind::CQuote, 1, "");
            self.modes.pop();
            return;
        }
        if self.template_open() {
            return;
        }
        if self.rest().starts_with('\n') {
            // An unterminated string: back to structure.
            self.modes.pop();
            return;
        }
        let len = self.literal_len(true).max(1);
        self.push(Kind::QuotedLit, len.min(self.rest().len()), "");
    }

    fn heredoc(&mut self, marker: &str) {
        if self.line_start {
            // The closing marker: blanks, the marker, then the end of the line.
            let rest = self.rest();
            let trimmed = rest.trim_start_matches([' ', '\t']);
            let blanks = rest.len() - trimmed.len();
            // Blanks after the marker are allowed, and kept (Terraform keeps them).
            if let Some(after) = trimmed.strip_prefix(marker) {
                let tail = after.trim_start_matches([' ', '\t']);
                if !(tail.is_empty() || tail.starts_with('\n') || tail.starts_with("\r\n")) {
                    let len = self.literal_len(false).max(1).min(self.rest().len());
                    self.push(Kind::StringLit, len, "");
                    return;
                }
                let len = blanks + marker.len() + (after.len() - tail.len());
                self.push(Kind::CHeredoc, len, "");
                self.modes.pop();
                return;
            }
        }
        if self.template_open() {
            return;
        }
        let len = self.literal_len(false).max(1);
        let len = len.min(self.rest().len());
        self.push(Kind::StringLit, len, "");
    }

    fn normal(&mut self) {
        // Blanks before the token.
        let rest = self.rest();
        let trimmed = rest.trim_start_matches([' ', '\t']);
        let blank_len = rest.len() - trimmed.len();
        let blanks = &rest[..blank_len];
        self.at += blank_len;
        if self.at >= self.src.len() {
            self.out.push(Token {
                kind: Kind::Eof,
                text: "",
                spaces: blanks.len(),
                blanks,
            });
            return;
        }
        let rest = self.rest();
        let bytes = rest.as_bytes();
        let two = rest.get(..2).unwrap_or("");
        let three = rest.get(..3).unwrap_or("");
        let (kind, len) = match bytes[0] {
            b'\n' => (Kind::Newline, 1),
            b'\r' if bytes.get(1) == Some(&b'\n') => (Kind::Newline, 2),
            b'#' => (Kind::Comment, line_comment_len(rest)),
            b'/' if two == "//" => (Kind::Comment, line_comment_len(rest)),
            b'/' if two == "/*" => (
                Kind::Comment,
                rest[2..].find("*/").map_or(rest.len(), |i| i + 4),
            ),
            b'"' => (Kind::OQuote, 1),
            b'<' if two == "<<" && heredoc_header(rest).is_some() => {
                let (len, marker) = heredoc_header(rest).unwrap_or((2, ""));
                self.push(Kind::OHeredoc, len, blanks);
                self.modes.push(Mode::Heredoc { marker });
                self.line_start = true;
                return;
            }
            b'{' => (Kind::OBrace, 1),
            b'}' => {
                if let Some(Mode::Normal { braces, interp }) = self.modes.last_mut() {
                    if *interp && *braces == 0 {
                        self.push(Kind::TemplateSeqEnd, 1, blanks);
                        self.modes.pop();
                        return;
                    }
                    *braces = braces.saturating_sub(1);
                }
                (Kind::CBrace, 1)
            }
            b'~' if bytes.get(1) == Some(&b'}') => {
                if let Some(Mode::Normal {
                    braces: 0,
                    interp: true,
                }) = self.modes.last()
                {
                    self.push(Kind::TemplateSeqEnd, 2, blanks);
                    self.modes.pop();
                    return;
                }
                (Kind::Invalid, 1)
            }
            b'[' => (Kind::OBrack, 1),
            b']' => (Kind::CBrack, 1),
            b'(' => (Kind::OParen, 1),
            b')' => (Kind::CParen, 1),
            b'*' => (Kind::Star, 1),
            b'/' => (Kind::Slash, 1),
            b'+' => (Kind::Plus, 1),
            b'-' => (Kind::Minus, 1),
            b'%' => (Kind::Percent, 1),
            b'=' if two == "==" => (Kind::EqualOp, 2),
            b'=' if two == "=>" => (Kind::FatArrow, 2),
            b'=' => (Kind::Equal, 1),
            b'!' if two == "!=" => (Kind::NotEqual, 2),
            b'!' => (Kind::Bang, 1),
            b'<' if two == "<=" => (Kind::LessThanEq, 2),
            b'<' => (Kind::LessThan, 1),
            b'>' if two == ">=" => (Kind::GreaterThanEq, 2),
            b'>' => (Kind::GreaterThan, 1),
            b'&' if two == "&&" => (Kind::And, 2),
            b'|' if two == "||" => (Kind::Or, 2),
            b'.' if three == "..." => (Kind::Ellipsis, 3),
            b'.' => (Kind::Dot, 1),
            b',' => (Kind::Comma, 1),
            b'?' => (Kind::Question, 1),
            b':' if two == "::" => (Kind::DoubleColon, 2),
            b':' => (Kind::Colon, 1),
            b'0'..=b'9' => (Kind::NumberLit, number_len(rest)),
            _ if ident_start(rest) => (Kind::Ident, ident_len(rest)),
            _ => (Kind::Invalid, rest.chars().next().map_or(1, char::len_utf8)),
        };
        if kind == Kind::OBrace
            && let Some(Mode::Normal {
                braces,
                interp: true,
            }) = self.modes.last_mut()
        {
            *braces += 1;
        }
        let len = len.min(rest.len()).max(1);
        self.push(kind, len, blanks);
        if kind == Kind::OQuote {
            self.modes.push(Mode::Quoted);
        }
    }
}

fn line_comment_len(rest: &str) -> usize {
    rest.find('\n').map_or(rest.len(), |i| i + 1)
}

/// `<<EOT\n` / `<<-EOT\n`: the length of the header with its newline, and the marker.
fn heredoc_header(rest: &str) -> Option<(usize, &str)> {
    let after = rest.strip_prefix("<<")?;
    let after = after.strip_prefix('-').unwrap_or(after);
    let start = rest.len() - after.len();
    if !ident_start(after) {
        return None;
    }
    let marker_len = ident_len(after);
    let marker = &after[..marker_len];
    let tail = &after[marker_len..];
    let newline = if tail.starts_with("\r\n") {
        2
    } else if tail.starts_with('\n') {
        1
    } else {
        return None;
    };
    Some((start + marker_len + newline, marker))
}

fn ident_start(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

fn ident_len(s: &str) -> usize {
    // ASCII first, the common case; a non-ASCII character sends the rest through chars.
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() || b == b'_' || (b == b'-' && i > 0) {
            i += 1;
        } else if b.is_ascii() {
            return i;
        } else {
            break;
        }
    }
    if i == bytes.len() {
        return i;
    }
    s.char_indices()
        .find(|(i, c)| !(c.is_alphanumeric() || *c == '_' || (*c == '-' && *i > 0)))
        .map_or(s.len(), |(i, _)| i)
}

fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    i.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Kind> {
        lex(src).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn every_byte_is_kept() {
        for src in [
            "a = \"x ${var.y} %{if c}z%{endif}\" # c\n",
            "b = <<-EOT\n  keep ${x}\n  EOT\nc = 1\n",
            "d = {for k, v in m : k => v...}\r\n",
            "e = \"é\\\"${f(\"g\")}\"\n/* multi\nline */\n",
        ] {
            let back: String = lex(src)
                .iter()
                .map(|t| format!("{}{}", t.blanks, t.text))
                .collect();
            assert_eq!(back, src);
        }
    }

    #[test]
    fn templates_and_heredocs_are_split() {
        use Kind::*;
        assert_eq!(
            kinds("a = \"x${b}\"\n"),
            vec![
                Ident,
                Equal,
                OQuote,
                QuotedLit,
                TemplateInterp,
                Ident,
                TemplateSeqEnd,
                CQuote,
                Newline
            ]
        );
        assert_eq!(
            kinds("h = <<EOT\nx {\nEOT\n"),
            vec![Ident, Equal, OHeredoc, StringLit, CHeredoc, Newline]
        );
        assert_eq!(
            kinds("n = a-b-1 - 2.5e3"),
            vec![Ident, Equal, Ident, Minus, NumberLit]
        );
    }
}
