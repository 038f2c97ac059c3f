//! Text from files, notes and paths on its way to a terminal: control characters
//! (ESC/CSI/OSC, BEL, NUL, …) and bidirectional overrides become visible escapes, so
//! nothing a file contains can drive the terminal.

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
}
