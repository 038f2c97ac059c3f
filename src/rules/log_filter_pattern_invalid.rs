//! # CloudWatch Logs filter pattern that CloudWatch cannot parse
//!
//! ## What it does
//! Reports the `pattern` of an `aws_cloudwatch_log_metric_filter` and the
//! `filter_pattern` of an `aws_cloudwatch_log_subscription_filter` when it is written
//! out and breaks the filter pattern syntax:
//! - a space-delimited pattern (`[ip, user, ..., status = 4*]`) whose field is not a
//!   plain name (letters, digits, `_`), such as `response.code = 500`, or that does
//!   not close its `]`;
//! - a JSON pattern (`{ $.eventName = "ConsoleLogin" }`) that does not close its `}` or
//!   its parentheses, or whose comparison does not start with a selector (`$.field`,
//!   `$[0]`);
//! - a quoted term that is not closed.
//!
//! Patterns built from variables are not checked, nor is what the filter matches.
//!
//! ## Why is this bad?
//! CloudWatch Logs rejects the pattern when the filter is created, and the apply stops;
//! space-delimited fields are positions in the log line, named by the pattern, and a
//! dotted name (JSON's selector syntax) is not one.
//!
//! ## Error
//! ```text
//! Error: creating CloudWatch Logs Metric Filter (root-login): operation error
//! CloudWatch Logs: PutMetricFilter, InvalidParameterException: Invalid metric filter
//! pattern
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudwatch_log_metric_filter" "root_login" {
//!   pattern = "[version, account, ..., response_elements.ConsoleLogin = \"Failure\"]"
//! }
//! ```
//! Use instead a JSON pattern for JSON logs such as CloudTrail's:
//! `"{ ($.userIdentity.type = \"Root\") && ($.responseElements.ConsoleLogin = \"Failure\") }"`.
//!
//! ## Fix safety
//! No fix: which syntax the logs need is for the author to say.
//!
//! ## Root cause
//! The two pattern syntaxes were mixed: JSON selectors written into a space-delimited
//! pattern, or a pattern cut short.
//!
//! ## Impact
//! Deployment blocker: the filter, and the alarm on its metric, are never created.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::expr::{span_of, static_str};

pub struct LogFilterPatternInvalid;

/// The resources that take a filter pattern, and the argument that holds it.
const PATTERNS: [(&str, &str); 2] = [
    ("aws_cloudwatch_log_metric_filter", "pattern"),
    ("aws_cloudwatch_log_subscription_filter", "filter_pattern"),
];

impl Rule for LogFilterPatternInvalid {
    fn id(&self) -> &'static str {
        "log-filter-pattern-invalid"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for (ty, arg) in PATTERNS {
                for b in module.resources(ty) {
                    let Some(attr) = b.attr(arg) else {
                        continue;
                    };
                    let Some(pattern) = static_str(&attr.value) else {
                        continue;
                    };
                    let Some(problem) = pattern_problem(&pattern) else {
                        continue;
                    };
                    let mut f = self.finding(
                        b.file,
                        span_of(&attr.value),
                        "Filter pattern CloudWatch Logs cannot parse".to_string(),
                        format!(
                            "`{}` {arg} {problem}: CloudWatch Logs rejects the pattern (InvalidParameterException) and the filter is not created",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = arg.to_string();
                    out.push(f);
                }
            }
        }
    }
}

/// What is wrong with a filter pattern, if anything.
fn pattern_problem(pattern: &str) -> Option<String> {
    let p = pattern.trim();
    if p.matches('"').count() % 2 == 1 && !p.contains("\\\"") {
        return Some("leaves a quoted term open".to_string());
    }
    if let Some(inner) = p.strip_prefix('[') {
        let Some(inner) = inner.strip_suffix(']') else {
            return Some("opens a space-delimited pattern with `[` and does not close it".into());
        };
        return delimited_problem(inner);
    }
    if let Some(inner) = p.strip_prefix('{') {
        let Some(inner) = inner.strip_suffix('}') else {
            return Some("opens a JSON pattern with `{` and does not close it".into());
        };
        return json_problem(inner);
    }
    None
}

/// Splits `text` at `sep` outside quotes.
fn split_outside_quotes<'a>(text: &'a str, seps: &[&str]) -> Vec<&'a str> {
    // Bytes are compared, never sliced mid-character: every separator is ASCII, so a
    // part always starts and ends on a character's edge.
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                i += 2;
                continue;
            }
            b'"' => quoted = !quoted,
            _ if !quoted => {
                if let Some(sep) = seps.iter().find(|s| bytes[i..].starts_with(s.as_bytes())) {
                    parts.push(text.get(start..i).unwrap_or(""));
                    i += sep.len();
                    start = i;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(text.get(start..).unwrap_or(""));
    parts
}

/// The name of a space-delimited field's condition: the text before its operator.
fn condition_name(condition: &str) -> &str {
    let c = condition.trim();
    let end = c
        .find(|ch: char| matches!(ch, '=' | '!' | '<' | '>') || ch.is_whitespace())
        .unwrap_or(c.len());
    &c[..end]
}

fn delimited_problem(inner: &str) -> Option<String> {
    // Brackets inside (`[a] || [b]`) are a syntax this rule does not judge.
    if split_outside_quotes(inner, &["[", "]"]).len() > 1 {
        return None;
    }
    for field in split_outside_quotes(inner, &[","]) {
        let field = field.trim();
        if field.is_empty() || field == "..." {
            continue;
        }
        // A field may hold several conditions on itself (`w1 = a || w1 = b`).
        for condition in split_outside_quotes(field, &["&&", "||"]) {
            // A JSON selector (`a.b`, `$.a`) where a field's name goes; other shapes
            // (a condition without a name, an alternative without an operator) are left
            // alone.
            if !condition.contains(['=', '!', '<', '>']) {
                continue;
            }
            let name = condition_name(condition);
            let word = |w: &str| {
                w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            };
            let selector =
                name.starts_with('$') || (name.contains('.') && name.split('.').all(word));
            if selector {
                return Some(format!(
                    "names a space-delimited field `{name}`, a JSON selector: the fields of a space-delimited pattern are plain names (letters, digits and `_`)"
                ));
            }
        }
    }
    None
}

fn json_problem(inner: &str) -> Option<String> {
    let mut depth = 0i32;
    let mut quoted = false;
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'"' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return Some("closes a parenthesis it did not open".into());
        }
        i += 1;
    }
    if depth != 0 {
        return Some("leaves a parenthesis open".into());
    }
    for comparison in split_outside_quotes(inner, &["&&", "||"]) {
        let c = comparison
            .trim_start_matches(|c: char| c == '(' || c.is_whitespace())
            .trim_end();
        if !c.starts_with('$') {
            let shown: String = c.chars().take(40).collect();
            return Some(format!(
                "compares `{shown}`, which is not a selector (JSON patterns compare `$.field` or `$[index]`)"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::pattern_problem;

    #[test]
    fn valid_patterns_of_every_syntax() {
        for p in [
            "ERROR",
            "\"Connection refused\"",
            "?ERROR ?WARN -DEBUG",
            "",
            "[ip, user, username, timestamp, request = \"GET *\", status_code = 4*, bytes]",
            "[..., status_code = 5*, ...]",
            "[w1 = ERROR || w1 = WARN, ...]",
            "[a, b] || [c, d]",
            "[time, uri = *.epub||*.pdf, ...]",
            "[..., uri = *.pdf || index.html]",
            "[ip, user = José, ...]",
            "{ $.city = München }",
            "[ip,\u{a0}user]",
            "[a, b = \\é]",
            "{ (\t($.a = 1) || ($.b = 2)) }",
            "[time, request_id, level = ERROR*, msg]",
            "{ $.eventName = \"ConsoleLogin\" }",
            "{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") }",
            "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }",
            "{ $.latency > 100 }",
            "{ $.records[0].size >= 3 }",
            "{ $[0] = 1 }",
            "{ $.message = \"a && b (c\" }",
        ] {
            assert_eq!(pattern_problem(p), None, "{p}");
        }
    }

    #[test]
    fn broken_patterns() {
        for p in [
            "[version, account, ..., response_elements.consoleLogin=\"Failure\"]",
            "[$.user = root]",
            "[ip, user",
            "{ $.eventName = \"ConsoleLogin\"",
            "{ ($.a = 1 }",
            "{ eventName = \"x\" }",
            "\"unterminated",
        ] {
            assert!(pattern_problem(p).is_some(), "{p}");
        }
    }
}
