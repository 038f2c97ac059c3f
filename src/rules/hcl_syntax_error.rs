//! # Invalid HCL syntax
//!
//! ## What it does
//! Reports a file that is not valid HCL, at the line and column where the parser
//! stopped. When the text ends with blocks, lists, strings or heredocs still open (an
//! answer cut off mid-file), the end of the file is named as a related place. The rest
//! of the workspace is still analysed.
//!
//! ## Why is this bad?
//! Terraform refuses to run at all while any file of the configuration does not parse:
//! `terraform init`, `validate` and `plan` all stop at the first syntax error.
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket" "logs" {
//!   bucket = "logs-${var.suffix}"
//!   tags = {
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_s3_bucket" "logs" {
//!   bucket = "logs-${var.suffix}"
//!   tags   = {}
//! }
//! ```
//!
//! ## Fix safety
//! No automatic fix: the intended text cannot be known.
//!
//! ## Root cause
//! The code was written without being parsed: an unbalanced brace, a Markdown fence or
//! prose inside a `.tf` file, or syntax from another language (JSON commas, YAML).
//!
//! ## Impact
//! Deployment is blocked: no Terraform command runs until the file parses.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/syntax/configuration

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::parse::ParseProblemKind;

pub struct HclSyntaxError;

impl Rule for HclSyntaxError {
    fn id(&self) -> &'static str {
        "hcl-syntax-error"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for (file, problem) in &model.parse_problems {
            if problem.kind != ParseProblemKind::Syntax {
                continue;
            }
            let mut f = self.finding(
                *file,
                problem.span.clone(),
                "Invalid HCL syntax".into(),
                format!("the file does not parse: {}", problem.message),
            );
            f.key = format!("{}:{}", model.path(*file), problem.message);
            let src = model.src(*file);
            let open = open_at_end(src);
            let end = src.trim_end().len();
            let start = src[..end].rfind('\n').map_or(0, |i| i + 1);
            // Named when it is not where the parser stopped already.
            if open > 0 && problem.span.end < start {
                f.related.push(crate::finding::Related {
                    file: *file,
                    span: start..end,
                    message: format!(
                        "the text ends here with {open} bracket{}, string{} or heredoc{} still open: it was cut off",
                        if open == 1 { "" } else { "s" },
                        if open == 1 { "" } else { "s" },
                        if open == 1 { "" } else { "s" },
                    ),
                });
            }
            out.push(f);
        }
    }
}

/// How many brackets, interpolations, heredocs and (on the last line) strings are still
/// open at the end of `src`, read as HCL: line comments (`#`, `//`) and string contents
/// are skipped (block comments are not: rare in the cut-off texts this is for), a
/// string that runs to the end of a line before the last is closed there (a syntax error
/// of its own, reported by the parser, not a cut-off text).
fn open_at_end(src: &str) -> usize {
    let mut stack: Vec<char> = Vec::new();
    let mut heredoc: Option<String> = None;
    let lines: Vec<&str> = src.trim_end().split('\n').collect();
    let last = lines.len().saturating_sub(1);
    for (n, line) in lines.iter().enumerate() {
        if let Some(marker) = &heredoc {
            if line.trim() == marker {
                heredoc = None;
            }
            continue;
        }
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if stack.last() == Some(&'"') {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => {
                        stack.pop();
                    }
                    '$' | '%' if chars.peek() == Some(&'{') => {
                        chars.next();
                        stack.push('$');
                    }
                    _ => {}
                }
                continue;
            }
            match c {
                '#' => break,
                '/' if chars.peek() == Some(&'/') => break,
                '"' => stack.push('"'),
                '{' | '[' | '(' => stack.push(c),
                '}' if matches!(stack.last(), Some('{' | '$')) => {
                    stack.pop();
                }
                ']' if stack.last() == Some(&'[') => {
                    stack.pop();
                }
                ')' if stack.last() == Some(&'(') => {
                    stack.pop();
                }
                '<' if chars.peek() == Some(&'<') => {
                    chars.next();
                    let rest: String = chars.by_ref().collect();
                    let marker = rest.trim_start_matches('-').trim();
                    if !marker.is_empty() && marker.chars().all(|c| c.is_alphanumeric() || c == '_')
                    {
                        heredoc = Some(marker.to_string());
                    }
                }
                _ => {}
            }
        }
        // A string left open before the last line is the parser's error, not the end's.
        if n < last {
            while matches!(stack.last(), Some('"' | '$')) {
                stack.pop();
            }
        }
    }
    stack.len() + usize::from(heredoc.is_some())
}

#[cfg(test)]
mod tests {
    use super::open_at_end;

    #[test]
    fn what_is_open_at_the_end() {
        assert_eq!(open_at_end("a = {\n  b = [1, 2]\n}\n"), 0);
        assert_eq!(
            open_at_end(
                "resource \"x\" \"y\" {\n  p = jsonencode({\n    S = [\n      {\n        P = \"ec2.amazon"
            ),
            6
        );
        assert_eq!(open_at_end("a = \"}{\" # {\nb = 1 // [\n"), 0);
        assert_eq!(open_at_end("a = <<-EOT\n  { [\n  EOT\nb = 2\n"), 0);
        assert_eq!(open_at_end("a = <<-EOT\n  text\n"), 1);
        assert_eq!(
            open_at_end("a = \"${var.x}\"\nb = \"unterminated\nc = 1\n"),
            0
        );
        assert_eq!(open_at_end("a = \"x ${b"), 2);
    }
}
