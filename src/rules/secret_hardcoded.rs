//! # Secret written into the configuration
//!
//! ## What it does
//! Reports a password or token written as a literal string where a resource needs a
//! secret: `password`, `master_password`, `master_user_password`, `auth_token` and the
//! like of any AWS resource (nested blocks included), a `password` key of a
//! `secret_string = jsonencode({ … })`, and the `value` of an `aws_ssm_parameter` of type
//! `SecureString`. The literal is found where it is written: in the argument itself, in
//! the default of the variable that feeds it, in each `*.tfvars` value of that variable,
//! or in a local. Each such place is a finding; the argument that uses it is a related
//! place.
//!
//! ## Why is this bad?
//! The secret is in version control, in every clone and CI log of the repository, and in
//! the state in plain text; it cannot be rotated without a commit, and every environment
//! deployed from the same default shares it.
//!
//! ## Example
//! ```hcl
//! variable "db_password" {
//!   type    = string
//!   default = "ChangeMe123!"
//! }
//! ```
//! Use instead a `random_password` (or `manage_master_user_password = true` on RDS):
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   manage_master_user_password = true
//! }
//! ```
//!
//! ## Fix safety
//! No fix: where the secret should come from (Secrets Manager, `random_password`, a
//! variable supplied by the pipeline) is a decision for the reviewer.
//!
//! ## Root cause
//! A value was needed to make the configuration complete, and a literal was the shortest
//! way to give one, often with a comment to change it later.
//!
//! ## Impact
//! The credential leaks with the code; an attacker with read access to the repository
//! can log in to the database or service.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/tutorials/configuration-language/sensitive-variables
//! https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html

use std::collections::HashSet;

use hcl_edit::expr::Expression;
use hcl_edit::structure::Body;

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::eval::literal_sources;
use crate::model::expr::span_of;
use crate::model::{BlockKind, Model, Module};
use crate::workspace::FileId;

/// Arguments that hold a secret, on any AWS resource.
const SECRET_ARGUMENTS: &[&str] = &[
    "password",
    "master_password",
    "master_user_password",
    "admin_password",
    "auth_token",
    "db_password",
    "root_password",
];

pub struct SecretHardcoded;

impl Rule for SecretHardcoded {
    fn id(&self) -> &'static str {
        "secret-hardcoded"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Security
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        // A literal that feeds several secrets (through several modules) is one finding.
        let mut seen: HashSet<(FileId, usize)> = HashSet::new();
        for module in &model.modules {
            let mut uses: Vec<(FileId, &Expression, String)> = Vec::new();
            for b in module.blocks_of(BlockKind::Resource) {
                let ty = b.label(0);
                if !ty.starts_with("aws_") {
                    continue;
                }
                secret_arguments(&b.block.body, &mut |name, value| {
                    uses.push((b.file, value, format!("`{}` {name}", b.address)));
                });
                if let Some(secret) = b.attr("secret_string") {
                    json_passwords(&secret.value, &mut |value| {
                        uses.push((
                            b.file,
                            value,
                            format!("the `password` of `{}` secret_string", b.address),
                        ));
                    });
                }
                if ty == "aws_ssm_parameter"
                    && b.attr("type").is_some_and(|t| {
                        crate::model::eval::known(module, &t.value).text == "SecureString"
                    })
                    && let Some(value) = b.attr("value")
                {
                    uses.push((b.file, &value.value, format!("`{}` value", b.address)));
                }
            }
            report(self, model, module, uses, &mut seen, out);
        }
    }
}

fn report<'a>(
    rule: &SecretHardcoded,
    model: &Model<'a>,
    module: &Module<'a>,
    uses: Vec<(FileId, &'a Expression, String)>,
    seen: &mut HashSet<(FileId, usize)>,
    out: &mut Vec<Finding>,
) {
    for (file, value, what) in uses {
        for (at, literal) in literal_sources(model, module, file, value) {
            let span = span_of(literal);
            let text = crate::model::eval::known(module, literal).text;
            if text.is_empty() || !seen.insert((at, span.start)) {
                continue;
            }
            let mut f = rule.finding(
                at,
                span.clone(),
                "Secret written into the configuration".into(),
                format!(
                    "{what} is the literal {}: it is committed with the code and stored in plain text; generate it (`random_password`, `manage_master_user_password = true`) or read it from Secrets Manager",
                    mask(&text)
                ),
            );
            f.key = format!("{}:{what}", model.path(at));
            if at != file || span != span_of(value) {
                f.related.push(Related {
                    file,
                    span: span_of(value),
                    message: format!("{what}, which uses it"),
                });
            }
            out.push(f);
        }
    }
}

/// The secret's first and last characters only: a finding is shown and exported.
fn mask(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 4 {
        return "`****`".into();
    }
    format!(
        "`{}…{}` ({} characters)",
        chars[0],
        chars[chars.len() - 1],
        chars.len()
    )
}

/// Every secret argument of a body and its nested blocks.
fn secret_arguments<'a>(body: &'a Body, found: &mut dyn FnMut(&str, &'a Expression)) {
    for attr in body.attributes() {
        if SECRET_ARGUMENTS.contains(&attr.key.as_str()) {
            found(attr.key.as_str(), &attr.value);
        }
    }
    for block in body.blocks() {
        secret_arguments(&block.body, found);
    }
}

/// The values of `password` keys in `jsonencode({ … })`.
fn json_passwords<'a>(expr: &'a Expression, found: &mut dyn FnMut(&'a Expression)) {
    let Expression::FuncCall(call) = expr else {
        return;
    };
    if call.name.name.as_str() != "jsonencode" {
        return;
    }
    for arg in call.args.iter() {
        if let Expression::Object(object) = arg {
            for (key, value) in object.iter() {
                let name = match key {
                    hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                    hcl_edit::expr::ObjectKey::Expression(Expression::String(s)) => {
                        s.value().to_string()
                    }
                    _ => continue,
                };
                if name.eq_ignore_ascii_case("password") {
                    found(value.expr());
                }
            }
        }
    }
}
