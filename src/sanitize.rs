//! Text from files, notes and paths on its way to a terminal: control characters
//! (ESC/CSI/OSC, BEL, NUL, …) and bidirectional overrides become visible escapes, so
//! nothing a file contains can drive the terminal. The same escapes keep them out of the
//! exported review, which people read with `cat` and `less`.

/// Whether `c` must not reach a terminal raw.
pub fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// `text` with every unsafe character written as `\x1b` or `\u{202e}`; newlines and tabs
/// are kept.
pub fn for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_char(c) {
            if (c as u32) < 0x100 {
                out.push_str(&format!("\\x{:02x}", c as u32));
            } else {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `text` as one line: every line break (LF, CR, CRLF) becomes a space, then
/// [`for_terminal`] makes the remaining controls visible. For headings, list items and
/// anything else a line break would split.
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['\n', '\r']) {
        return for_terminal(text);
    }
    let flat = text.replace("\r\n", " ").replace(['\n', '\r'], " ");
    std::borrow::Cow::Owned(for_terminal(&flat).into_owned())
}

/// `text` with its line breaks kept as they were (LF, CRLF) and every other control
/// character, a lone CR included, made visible by [`for_terminal`]: for code quoted
/// from files, where a CRLF file's lines must stay CRLF.
pub fn keeping_line_breaks(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let pieces: Vec<std::borrow::Cow<'_, str>> = text.split("\r\n").map(for_terminal).collect();
    std::borrow::Cow::Owned(pieces.join("\r\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_bidi_overrides_become_visible() {
        assert_eq!(
            for_terminal("a\u{1b}[31mb\u{7}\u{0}"),
            "a\\x1b[31mb\\x07\\x00"
        );
        assert_eq!(for_terminal("x\u{202e}y\n\tz"), "x\\u{202e}y\n\tz");
        assert_eq!(for_terminal("\u{9b}2J"), "\\x9b2J");
    }

    #[test]
    fn one_line_turns_line_breaks_into_spaces() {
        assert_eq!(one_line("ws\n## x"), "ws ## x");
        assert_eq!(one_line("a\r\nb\rc\u{1b}d\te"), "a b c\\x1bd\te");
        assert_eq!(one_line("plain"), "plain");
    }

    #[test]
    fn crlf_line_breaks_are_kept_and_lone_crs_are_not() {
        assert_eq!(keeping_line_breaks("a\r\nb\n"), "a\r\nb\n");
        assert_eq!(keeping_line_breaks("safe\rEVIL\r\n"), "safe\\x0dEVIL\r\n");
        assert_eq!(keeping_line_breaks("x\u{202e}\r\n"), "x\\u{202e}\r\n");
    }
}
