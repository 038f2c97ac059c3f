//! # Placeholder value left in the code
//!
//! ## What it does
//! Reports a string that is a placeholder rather than a value: `REPLACE_ME`,
//! `CHANGE_ME`, `<your-bucket>`, `your-domain`, `TODO`, `FIXME`, `PLACEHOLDER`,
//! `example.com` domains and addresses, runs of `XXXX`, made-up resource ids such
//! as `ami-12345678` or `vpc-xxxxxxxx`, SSH public keys cut short (`ssh-rsa AAAA...`),
//! and a value whose line ends with a comment saying to replace it
//! (`# Replace with your actual key`, `# change this`; medium: the value works, it is
//! just not the one meant). Descriptions are not checked.
//!
//! ## Why is this bad?
//! A placeholder deploys something nobody meant (an alarm that e-mails
//! `admin@example.com`, a certificate for `example.com` that never validates) or fails
//! at apply time (`ami-12345678` does not exist).
//!
//! ## Example
//! ```hcl
//! endpoint = "alerts@example.com"
//! ```
//! Use instead a variable without a default, so the value must be given:
//! ```hcl
//! endpoint = var.alert_email
//! ```
//!
//! ## Fix safety
//! No fix: the real value is not in the code.
//!
//! ## Root cause
//! The code was written as a template and not finished.
//!
//! ## Impact
//! A failed apply, or resources that do not do what they should.
//!
//! ## References
//! https://www.rfc-editor.org/rfc/rfc2606

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::expr::literal_spans;

pub struct PlaceholderValue;

impl Rule for PlaceholderValue {
    fn id(&self) -> &'static str {
        "placeholder-value"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in &module.blocks {
                let mut keys = super::OccurrenceKeys::default();
                let src = model.src(b.file);
                // Most blocks hold no marker at all: skip them without visiting (one pass
                // over the block for all markers, in any case).
                let text = src.get(b.span.clone()).unwrap_or("");
                if MARKER_SEARCH.as_ref().is_some_and(|m| !m.is_match(text)) {
                    continue;
                }
                for (key, span) in literal_spans(b.body()) {
                    if matches!(key.as_str(), "description" | "Description" | "comment") {
                        continue;
                    }
                    let text = src.get(span.clone()).unwrap_or("");
                    let Some((at, len, what)) = placeholder(text)
                        .or_else(|| cut_short_key(text))
                        .or_else(|| replace_comment(src, &span, text))
                    else {
                        continue;
                    };
                    let start = span.start + at;
                    let found = &text[at..at + len];
                    let mut f = self.finding(
                        b.file,
                        start..start + len,
                        format!("Placeholder `{found}`"),
                        format!("`{}` {key} contains `{found}`, {what}", b.address),
                    );
                    f.address = Some(b.address.clone());
                    f.key = keys.key(format!("{key}:{found}"));
                    // A working value that its comment asks to replace: it deploys, just
                    // not what the reader will want.
                    if what == REPLACE_COMMENT {
                        f.severity = Severity::Medium;
                    }
                    out.push(f);
                }
            }
        }
    }
}

/// [`MARKERS`] in any case, found in one pass.
static MARKER_SEARCH: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(MARKERS)
            .ok()
    });

/// Text that every placeholder contains (lowercase).
const MARKERS: &[&str] = &[
    "ssh-",
    "replace",
    "change",
    "placeholder",
    "your",
    "example.",
    "xxxxxxxx",
    "todo",
    "fixme",
    "tbd",
    "-1234",
    "-0123",
    "-xxxx",
];

/// All of a string's text, without its quotes when the span holds them.
fn whole(text: &str, what: &'static str) -> (usize, usize, &'static str) {
    let inner = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'));
    match inner {
        Some(t) => (1, t.len(), what),
        None => (0, text.len(), what),
    }
}

const REPLACE_COMMENT: &str = "and the comment beside it says to replace it";

/// A whole one-line value whose line ends with a comment saying to replace it (`"ssh-rsa
/// AAAA…" # Replace with your actual public key`, `# change this`).
fn replace_comment(
    src: &str,
    span: &std::ops::Range<usize>,
    text: &str,
) -> Option<(usize, usize, &'static str)> {
    if text.is_empty() || text.contains('\n') {
        return None;
    }
    let rest = src.get(span.end..)?;
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    // The comment after the value's closing quote (and any `,`, `]`, `)` or `}`).
    // (The span may or may not hold the quotes.)
    let after = line.trim_start_matches(['"', ',', ']', ')', '}', ' ', '\t']);
    let comment = after
        .strip_prefix('#')
        .or_else(|| after.strip_prefix("//"))?
        .to_ascii_lowercase();
    const SAYS: &[&str] = &[
        "replace with",
        "replace this",
        "change this",
        "change to your",
        "update with your",
        "update this",
        "use your own",
        "your actual",
    ];
    SAYS.iter()
        .any(|s| comment.contains(s))
        .then(|| whole(text, REPLACE_COMMENT))
}

/// An SSH public key cut short: `ssh-rsa AAAAB3Nza...` (a real key's body is hundreds of
/// characters and never holds `...`).
fn cut_short_key(text: &str) -> Option<(usize, usize, &'static str)> {
    let body = [
        "ssh-rsa ",
        "ssh-ed25519 ",
        "ecdsa-sha2-nistp256 ",
        "ssh-dss ",
    ]
    .iter()
    .find_map(|p| text.trim_start_matches('"').strip_prefix(p))?;
    let key = body
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches('"');
    (key.contains("...") || key.contains('…') || key.len() < 60)
        .then(|| whole(text, "a public key cut short, not a real key"))
}

/// The first placeholder in `text`: offset, length and what it is.
fn placeholder(text: &str) -> Option<(usize, usize, &'static str)> {
    let lower = text.to_ascii_lowercase();
    const WORDS: &[(&str, &str)] = &[
        ("replace_me", "a placeholder to replace"),
        ("replace-me", "a placeholder to replace"),
        ("replaceme", "a placeholder to replace"),
        ("change_me", "a placeholder to replace"),
        ("change-me", "a placeholder to replace"),
        ("changeme", "a placeholder to replace"),
        ("placeholder", "a placeholder to replace"),
        ("<your", "a placeholder to replace"),
        ("your-", "a placeholder to replace"),
        ("your_", "a placeholder to replace"),
        (
            "example.com",
            "a reserved example domain that nobody receives mail or traffic for",
        ),
        (
            "example.org",
            "a reserved example domain that nobody receives mail or traffic for",
        ),
        ("xxxxxxxx", "a run of `x` standing for a value"),
    ];
    for (word, what) in WORDS {
        if let Some(at) = lower.find(word) {
            // `your-` and `your_` only at the start of a word.
            if word.starts_with("your")
                && at > 0
                && lower.as_bytes()[at - 1].is_ascii_alphanumeric()
            {
                continue;
            }
            return Some((at, word.len(), what));
        }
    }
    for word in ["TODO", "FIXME", "TBD"] {
        if let Some(at) = text.find(word) {
            let before = at.checked_sub(1).map(|i| text.as_bytes()[i]);
            let after = text.as_bytes().get(at + word.len());
            if !before.is_some_and(|c| c.is_ascii_alphanumeric())
                && !after.is_some_and(|c| c.is_ascii_alphanumeric())
            {
                return Some((at, word.len(), "a note that the value is unfinished"));
            }
        }
    }
    // Made-up resource ids: `ami-12345678`, `vpc-xxxxxxxx`.
    for token in lower.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        // The token's offset in `lower` (separators may be several bytes long).
        let at = token.as_ptr() as usize - lower.as_ptr() as usize;
        let Some((prefix, id)) = token.split_once('-') else {
            continue;
        };
        if !["ami", "vpc", "subnet", "sg", "igw", "vol", "snap", "i"].contains(&prefix) {
            continue;
        }
        let id: &str = id.split('-').next().unwrap_or("");
        let fake = id == "12345678"
            || id == "0123456789abcdef0"
            || id == "1234567890abcdef0"
            || (id.len() >= 8 && id.bytes().all(|c| c == b'x'));
        if fake {
            return Some((
                at,
                prefix.len() + 1 + id.len(),
                "a made-up resource id that does not exist",
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::placeholder;

    #[test]
    fn offsets_survive_multibyte_text() {
        let text = "\"héllo wörld ami-12345678\"";
        let (at, len, _) = placeholder(text).unwrap();
        assert_eq!(&text[at..at + len], "ami-12345678");
    }

    #[test]
    fn placeholders_are_found_and_ordinary_names_are_not() {
        assert!(placeholder("\"REPLACE_ME\"").is_some());
        assert!(placeholder("\"alerts@example.com\"").is_some());
        assert!(placeholder("\"<your-bucket>\"").is_some());
        assert!(placeholder("\"ami-12345678\"").is_some());
        assert!(placeholder("\"vpc-xxxxxxxx\"").is_some());
        assert!(placeholder("\"TODO: set\"").is_some());
        assert!(placeholder("\"todo-app\"").is_none());
        assert!(placeholder("\"toyour-x\"").is_none());
        assert!(placeholder("\"ami-0c55b159cbfafe1f0\"").is_none());
        assert!(placeholder("\"payments-api\"").is_none());
    }
}
