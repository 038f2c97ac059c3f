//! `tfreview check --format junit`: a JUnit XML report, the test format CI systems show
//! natively (GitLab's test report, Jenkins, Azure Pipelines). Each enabled rule is a test
//! case; each of its findings is a `<failure>` of that case; a rule without findings
//! passes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::analysis::Analysis;
use crate::finding::Finding;
use crate::review::{Review, Status};

pub fn render(analysis: &Analysis, review: &Review) -> String {
    let ws = &analysis.workspace;
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &analysis.findings {
        if review.status(&f.fingerprint(ws)) != Status::Rejected {
            by_rule.entry(f.rule).or_default().push(f);
        }
    }
    let rules: Vec<&'static dyn crate::rules::Rule> = crate::rules::all()
        .iter()
        .copied()
        .filter(|r| ws.config.enabled(*r, ws.task) || by_rule.contains_key(r.id()))
        .collect();
    let failed = rules
        .iter()
        .filter(|r| by_rule.contains_key(r.id()))
        .count();
    let mut cases = String::new();
    for rule in &rules {
        let id = rule.id();
        let _ = write!(
            cases,
            "    <testcase name=\"{}\" classname=\"tfreview.{}\"",
            escape(id),
            escape(rule.class().as_str())
        );
        let Some(findings) = by_rule.get(id) else {
            cases.push_str("/>\n");
            continue;
        };
        cases.push_str(">\n");
        for f in findings {
            let ((line, col), _) = analysis.position(f);
            let mut place = format!("{}:{line}:{col}", analysis.path(f));
            if let Some(origin) = ws.files.get(f.file).and_then(|file| file.origin_at(line)) {
                let _ = write!(place, " ({}:{})", origin.path, origin.line);
            }
            let mut body = format!("{place}: {}\n", f.message);
            if let Some(diff) = f.fix.as_ref().and_then(|fix| fix.diff(ws).ok()) {
                let _ = write!(
                    body,
                    "\n{}\n{diff}",
                    f.fix.as_ref().map_or("", |x| &x.title)
                );
            }
            let _ = writeln!(
                cases,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                f.severity.as_str(),
                escape(&format!("{place}: {}", f.title)),
                escape(&body)
            );
        }
        cases.push_str("    </testcase>\n");
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"tfreview\" tests=\"{}\" failures=\"{failed}\">",
        rules.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"tfreview\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">",
        rules.len()
    );
    out.push_str(&cases);
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Text for an XML attribute or element: the five markup characters escaped, and every
/// character XML 1.0 does not allow (control characters but tab and newline) shown as
/// `U+XXXX`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "U+{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_control_characters_are_escaped() {
        assert_eq!(
            escape("a<b & \"c\"\u{1b}[0m"),
            "a&lt;b &amp; &quot;c&quot;U+001B[0m"
        );
    }
}
