//! # Template uses a variable that `templatefile()` is not given
//!
//! ## What it does
//! Reports a `templatefile(path, { … })` call whose template uses a name, in an
//! interpolation (`${name}`, `${name.attr}`) or a directive (`%{ if name }`), that is
//! neither a key of the variables object nor bound by a template `for`. The template is
//! the file the path names: read with the workspace (`*.tpl`, `*.tftpl`, `*.sh`,
//! `*.yaml` and the like, up to 256 KiB), or, in a task folder, the code block the answer
//! shows under that file's name. `$${…}` and `%%{…}` are escapes and are skipped; a
//! variables argument that is not an object written out (`local.vars`, `merge(…)`) is
//! not checked, nor is a template that cannot be found (`template-file-missing`'s
//! case).
//!
//! A shell variable written `${NAME}` in a script is a Terraform interpolation too: the
//! message says to write it `$${NAME}`. `${var.x}` fails the same way, since a template
//! sees only the variables it is passed.
//!
//! ## Why is this bad?
//! Terraform renders the template while it plans and stops at the first name the
//! variables do not hold:
//!
//! ## Error
//! ```text
//! Error: Invalid function argument
//!
//!   on main.tf line 8, in output "web_user_data":
//!    8:   value = templatefile("${path.module}/templates/web.sh", {
//!
//! Invalid value for "vars" parameter: vars map does not contain key
//! "project_name", referenced at ./templates/web.sh:3,57-69.
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_instance" "web" {
//!   # user_data.sh logs to /aws/ec2/${project_name}
//!   user_data = templatefile("${path.module}/user_data.sh", {
//!     db_endpoint = aws_db_instance.main.endpoint
//!   })
//! }
//! ```
//! Use instead:
//! ```hcl
//!   user_data = templatefile("${path.module}/user_data.sh", {
//!     db_endpoint  = aws_db_instance.main.endpoint
//!     project_name = var.project_name
//!   })
//! ```
//!
//! ## Fix safety
//! Unsafe, and only when the module declares a variable or local of the missing name:
//! the fix passes `name = var.name` (or `local.name`); whether that is the value the
//! template means is for the reviewer to say.
//!
//! ## Root cause
//! The template and the call were written apart: a name was added to one and not the
//! other, or a shell variable was left unescaped.
//!
//! ## Impact
//! Deployment blocker: the plan fails.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/functions/templatefile
//! https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences

use std::collections::BTreeSet;

use hcl_edit::expr::{Expression, FuncCall, ObjectKey};
use hcl_edit::visit::{self, Visit};

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::expr::span_of;
use crate::model::{BlockKind, Model};

pub struct TemplateVariableMissing;

/// How many lines of the template that use a missing name a finding names, at most.
const MAX_PLACES: usize = 5;

impl Rule for TemplateVariableMissing {
    fn id(&self) -> &'static str {
        "template-variable-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        if model.ws.asset_texts.is_empty() {
            return;
        }
        for module in &model.modules {
            for b in &module.blocks {
                if b.kind == BlockKind::Terraform {
                    continue;
                }
                let src = model.src(b.file);
                if !src
                    .get(b.span.clone())
                    .is_some_and(|t| t.contains("templatefile"))
                {
                    continue;
                }
                let mut calls = Calls::default();
                calls.visit_body(&b.block.body);
                for call in calls.found {
                    let Some((path, _)) =
                        super::template_file_missing::module_relative(src, &call.path)
                    else {
                        continue;
                    };
                    let Some((shown_at, template)) = model.template_text(module, &path) else {
                        continue;
                    };
                    let Some(keys) = object_keys(&call.vars) else {
                        continue;
                    };
                    let uses = template_uses(&template.text);
                    let mut occurrences = super::OccurrenceKeys::default();
                    let mut reported = BTreeSet::new();
                    let md_path = shown_at
                        .strip_suffix(template.name.as_str())
                        .map_or(shown_at, |md| md.trim_end_matches('/'));
                    let line_of = |offset: usize| template.text[..offset].matches('\n').count() + 1;
                    for (name, offset) in &uses.names {
                        let (name, offset) = (name.clone(), *offset);
                        if keys.contains(&name)
                            || uses.bound.contains(&name)
                            || !reported.insert(name.clone())
                        {
                            continue;
                        }
                        let line = line_of(offset);
                        // Where a reader finds it: the template's line, or the answer's.
                        let place = match template.lines.get(line - 1) {
                            Some(md) => {
                                format!("line {line} of `{path}` (line {md} of `{md_path}`)")
                            }
                            None => format!("line {line} of `{path}`"),
                        };
                        let passed = if keys.is_empty() {
                            "no variables are passed".to_string()
                        } else {
                            format!(
                                "the variables passed are {}",
                                keys.iter()
                                    .map(|k| format!("`{k}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        };
                        let shell = name.len() > 1
                            && name
                                .chars()
                                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                        let hint = if shell {
                            format!("; a shell variable is written `$${{{name}}}` in a template")
                        } else if name == "var" || name == "local" {
                            "; a template sees only the variables it is passed".to_string()
                        } else {
                            String::new()
                        };
                        let span = span_of(&call.vars);
                        let mut f = self.finding(
                            b.file,
                            span.start..span.start + 1,
                            format!("`{name}` is not passed to the template `{path}`"),
                            format!(
                                "`{}` renders `{path}` with `templatefile()`, and {place} uses `{name}`, but {passed}: Terraform stops with: vars map does not contain key \"{name}\"{hint}",
                                b.address
                            ),
                        );
                        f.address = Some(b.address.clone());
                        f.key = occurrences.key(format!("{path}:{name}"));
                        // Each line of the template that uses the name (the first few).
                        let mut lines: Vec<usize> = uses
                            .names
                            .iter()
                            .filter(|(n, _)| *n == name)
                            .map(|(_, at)| line_of(*at))
                            .collect();
                        lines.dedup();
                        f.asset_places = lines
                            .into_iter()
                            .take(MAX_PLACES)
                            .map(|line| crate::finding::AssetPlace {
                                path: shown_at.to_string(),
                                line,
                                origin: template.lines.get(line - 1).map(|&md| {
                                    crate::workspace::Origin {
                                        path: md_path.to_string(),
                                        line: md,
                                    }
                                }),
                                message: format!("uses `{name}`"),
                            })
                            .collect();
                        f.fix = pass_fix(model, module, src, b.file, &call.vars, &name);
                        out.push(f);
                    }
                }
            }
        }
    }
}

/// A `templatefile` call of a block: its path and variables arguments.
struct Call {
    path: Expression,
    vars: Expression,
}

#[derive(Default)]
struct Calls {
    found: Vec<Call>,
    /// Inside `try(…)` or `can(…)`, which turn the error into their fallback.
    guarded: usize,
}

impl Visit for Calls {
    fn visit_func_call(&mut self, node: &FuncCall) {
        let name = node.name.name.as_str();
        let guard = node.name.namespace.is_empty() && matches!(name, "try" | "can");
        if guard {
            self.guarded += 1;
        }
        if self.guarded == 0 && node.name.namespace.is_empty() && name == "templatefile" {
            let mut args = node.args.iter();
            if let (Some(path), Some(vars)) = (args.next(), args.next()) {
                self.found.push(Call {
                    path: path.clone(),
                    vars: vars.clone(),
                });
            }
        }
        visit::visit_func_call(self, node);
        if guard {
            self.guarded -= 1;
        }
    }
}

/// The keys of a variables object written out; `None` for anything else (a reference,
/// a function call) or a key that is not a plain name or string.
fn object_keys(expr: &Expression) -> Option<BTreeSet<String>> {
    let Expression::Object(object) = expr else {
        return None;
    };
    let mut keys = BTreeSet::new();
    for (key, _) in object.iter() {
        let name = match key {
            ObjectKey::Ident(id) => id.as_str().to_string(),
            ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
            ObjectKey::Expression(_) => return None,
        };
        keys.insert(name);
    }
    Some(keys)
}

/// What a template uses: each name at the root of an interpolation's or directive's
/// expression, with its offset, and the names that template `for`s bind.
#[derive(Debug, Default, PartialEq)]
struct Uses {
    names: Vec<(String, usize)>,
    bound: BTreeSet<String>,
}

const KEYWORDS: [&str; 9] = [
    "for", "in", "if", "else", "endif", "endfor", "true", "false", "null",
];

fn template_uses(text: &str) -> Uses {
    let bytes = text.as_bytes();
    let mut uses = Uses::default();
    let mut i = 0;
    while i + 1 < bytes.len() {
        let (c, next) = (bytes[i], bytes[i + 1]);
        if (c == b'$' || c == b'%') && next == c && bytes.get(i + 2) == Some(&b'{') {
            // `$${` and `%%{`: escapes, literal text.
            i += 3;
            continue;
        }
        if !((c == b'$' || c == b'%') && next == b'{') {
            i += 1;
            continue;
        }
        let start = i + 2;
        let end = sequence_end(text, start);
        expression_names(text, start, end, &mut uses);
        i = end + 1;
    }
    uses
}

/// Where the string, comment or heredoc that starts at `i` ends (the offset after it);
/// `None` when none starts there.
fn skip_non_code(text: &str, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    // Each starts with an ASCII byte, which is also where a character starts.
    if !matches!(bytes.get(i), Some(b'"' | b'#' | b'/' | b'<')) {
        return None;
    }
    let rest = text.get(i..)?;
    if rest.starts_with('"') {
        let mut j = i + 1;
        while j < bytes.len() && bytes[j] != b'"' && bytes[j] != b'\n' {
            if bytes[j] == b'\\' {
                j += 1;
            }
            j += 1;
        }
        return Some((j + 1).min(bytes.len()));
    }
    if rest.starts_with('#') || rest.starts_with("//") {
        return Some(rest.find('\n').map_or(bytes.len(), |n| i + n));
    }
    if rest.starts_with("/*") {
        return Some(rest.find("*/").map_or(bytes.len(), |n| i + n + 2));
    }
    if let Some(header) = rest.strip_prefix("<<") {
        let header = header.strip_prefix('-').unwrap_or(header);
        let marker: String = header
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !marker.is_empty() {
            // To the line that holds only the marker.
            let body = rest.find('\n').map_or(bytes.len(), |n| i + n + 1);
            let mut at = body;
            for line in text[body..].split_inclusive('\n') {
                at += line.len();
                if line.trim() == marker {
                    return Some(at);
                }
            }
            return Some(bytes.len());
        }
    }
    None
}

/// The offset of the `}` that closes the sequence whose expression starts at `start`
/// (brackets nested; strings, comments and heredocs skipped); the end of the text when
/// it is not closed.
fn sequence_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        if let Some(next) = skip_non_code(text, i) {
            i = next;
            continue;
        }
        match bytes[i] {
            b'{' | b'[' | b'(' => depth += 1,
            b']' | b')' => depth = depth.saturating_sub(1),
            b'}' if depth == 0 => return i,
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Whether a character can be part of a name (HCL's identifiers: Unicode letters,
/// digits, `_` and `-`).
fn name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// The root names of the expression in `text[start..end]`: identifiers not after a `.`,
/// not called as functions, not keywords, not object keys (`key =`, `key:` in braces),
/// not inside strings, comments or heredocs; `for a, b in` binds `a` and `b`.
fn expression_names(text: &str, start: usize, end: usize, uses: &mut Uses) {
    let bytes = text.as_bytes();
    let mut i = start;
    let mut prev: u8 = b' ';
    let mut binding = false;
    // The brackets open around the current place.
    let mut open: Vec<u8> = Vec::new();
    while i < end {
        if let Some(next) = skip_non_code(text, i) {
            i = next.min(end.max(i + 1));
            prev = b'"';
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if c.is_ascii_digit() {
            // A number (with its exponent or fraction letters).
            while i < end && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
            prev = b'0';
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let from = i;
            let len: usize = text[i..end]
                .chars()
                .take_while(|&c| name_char(c))
                .map(char::len_utf8)
                .sum();
            i += len;
            let word = &text[from..i];
            let next = (i..end).find(|&j| !bytes[j].is_ascii_whitespace());
            let after = next.map(|j| bytes[j]);
            // `name =` (not `==`, `=>`), or `name:` where an element of braces starts
            // (not the `:` of a conditional): an object's key.
            let element_start = matches!(prev, b'{' | b',')
                || text[..from].trim_end_matches([' ', '\t']).ends_with('\n');
            let key = next.is_some_and(|j| {
                (bytes[j] == b'=' && !matches!(bytes.get(j + 1), Some(b'=' | b'>')))
                    || (bytes[j] == b':' && open.last() == Some(&b'{') && element_start)
            });
            match word {
                "for" => binding = true,
                "in" => binding = false,
                _ if binding => {
                    uses.bound.insert(word.to_string());
                }
                _ if KEYWORDS.contains(&word) => {}
                // An attribute, a function's name, an object's key.
                _ if prev == b'.' || after == Some(b'(') || key => {}
                _ => uses.names.push((word.to_string(), from)),
            }
            prev = b'a';
            continue;
        }
        match c {
            '{' | '[' | '(' => open.push(c as u8),
            '}' | ']' | ')' => {
                open.pop();
            }
            _ => {}
        }
        if !c.is_whitespace() && c.is_ascii() {
            prev = c as u8;
        }
        i += c.len_utf8();
    }
}

/// Passes `name = var.name` (or `local.name`) in a variables object written over several
/// lines, when the module declares that variable or local.
fn pass_fix(
    model: &Model<'_>,
    module: &crate::model::Module<'_>,
    src: &str,
    file: crate::workspace::FileId,
    vars: &Expression,
    name: &str,
) -> Option<Fix> {
    let value = if module.block(&format!("var.{name}")).is_some() {
        format!("var.{name}")
    } else if module.locals.iter().any(|l| l.name == name) {
        format!("local.{name}")
    } else {
        return None;
    };
    let span = span_of(vars);
    let text = src.get(span.clone())?;
    if !text.contains('\n') {
        return None;
    }
    // Before the line of the closing brace, indented as the first key is.
    let close = span.end.checked_sub(1)?;
    let line_start = src[..close].rfind('\n').map_or(0, |i| i + 1);
    if !src[line_start..close].trim().is_empty() {
        return None;
    }
    let first_line = text.split('\n').nth(1).unwrap_or("");
    let indent: String = first_line
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    Some(Fix::new(
        format!("Pass `{name} = {value}` to the template"),
        Applicability::Unsafe,
        vec![Edit::insert(
            model.path(file),
            line_start,
            format!("{indent}{name} = {value}\n"),
        )],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        template_uses(text)
            .names
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    }

    #[test]
    fn root_names_of_interpolations_and_directives() {
        assert_eq!(names("a ${x} b ${y.z} ${f(w)}"), ["x", "y", "w"]);
        assert_eq!(names("$${HOME} %%{x} ${HOME}"), ["HOME"]);
        assert_eq!(names("${ \"lit ${q}\" } ${var.x}"), ["var"]);
        assert_eq!(names("%{ if enabled ~}on%{ endif }"), ["enabled"]);
        let u = template_uses("%{ for k, v in tags }${k}=${v}%{ endfor }");
        assert_eq!(
            u.names.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            ["tags", "k", "v"]
        );
        assert!(u.bound.contains("k") && u.bound.contains("v"));
        assert_eq!(names("${jsonencode({ a = b, c = 1.5e3 })}"), ["b"]);
        assert_eq!(names("${a == b ? c : d}"), ["a", "b", "c", "d"]);
        // Interpolations go on over lines; a `for` binds in them.
        assert_eq!(
            names("${\n  join(\",\", [for s in servers : \"h ${s}\"])\n}"),
            ["servers"]
        );
        // Object keys with `:`, comments and heredocs inside an interpolation.
        assert_eq!(
            names("${jsonencode({ port: p, x = q ? r : s })}"),
            ["p", "q", "r", "s"]
        );
        assert_eq!(
            names(
                "${yamlencode({\n  # the port\n  script = <<-EOT\n    echo $HOME }\n  EOT\n  n = n1\n})}"
            ),
            ["n1"]
        );
        // Names in any script; no panic on multibyte text around them.
        assert_eq!(names("é ${café} ${ \"ü\" } ${ñ}"), ["café", "ñ"]);
    }
}
