//! # Generated database password may contain characters RDS rejects
//!
//! ## What it does
//! Reports a `random_password` that feeds a database master password (`password` or
//! `master_password` of `aws_db_instance`, `aws_rds_cluster`, `aws_docdb_cluster`,
//! `aws_redshift_cluster`, directly or through a local) and may produce `/`, `@`, `"`
//! or a space: `special` is not `false` and `override_special` is absent or contains one
//! of them.
//!
//! ## Why is this bad?
//! RDS accepts printable ASCII except `/`, `@`, `"` and space. With the default special
//! characters, some applies fail with "InvalidParameterValue: The parameter
//! MasterUserPassword is not a valid password" — at random, depending on the draw.
//!
//! ## Error
//! When a draw holds one of those characters:
//! ```text
//! api error InvalidParameterValue: The parameter MasterUserPassword is not a valid password. Only printable ASCII characters besides '/', '@', '"', ' ' may be used.
//! ```
//!
//! ## Example
//! ```hcl
//! resource "random_password" "db" {
//!   length  = 32
//!   special = true
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "random_password" "db" {
//!   length           = 32
//!   special          = true
//!   override_special = "!#$%&*()-_=+[]{}<>:?"
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe. Changing `override_special` makes `random_password` generate a new password.
//!
//! ## Root cause
//! The generator's defaults were used without the database's character rules.
//!
//! ## Impact
//! Reliability: a 16-character password from the default set contains `@` about one time
//! in five, so the same code deploys or fails at random, and a later replacement of the
//! password can fail an apply that used to work. The class is `reliability` rather than
//! `error` because most draws deploy.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints

use super::{Class, Rule};
use crate::edits::set_attribute;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::expr::{RefCollector, Target, static_str};
use crate::model::{Model, Module};

const DATABASES: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_docdb_cluster",
    "aws_redshift_cluster",
    "aws_neptune_cluster",
];
const FORBIDDEN: &[char] = &['/', '@', '"', ' '];
const SAFE_SPECIAL: &str = "!#$%&*()-_=+[]{}<>:?";

pub struct DbPasswordInvalidCharacters;

impl Rule for DbPasswordInvalidCharacters {
    fn id(&self) -> &'static str {
        "db-password-invalid-characters"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        // The code is valid and most draws deploy; the failure is a matter of chance.
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for p in module.resources("random_password") {
                if p.attr("special")
                    .is_some_and(|a| a.value.as_bool() == Some(false))
                {
                    continue;
                }
                let override_special = p.attr("override_special");
                if let Some(o) = override_special {
                    match static_str(&o.value) {
                        Some(chars) if !chars.contains(FORBIDDEN) => continue,
                        None => continue,
                        Some(_) => {}
                    }
                }
                let target = Target::Resource {
                    ty: "random_password".into(),
                    name: p.label(1).to_string(),
                };
                let Some(db) = feeds_database(module, &target) else {
                    continue;
                };
                let mut f = self.finding(
                    p.file,
                    p.header(),
                    format!("`{}` may generate characters RDS rejects", p.address),
                    format!(
                        "`{}` feeds the master password of `{db}` and may contain `/`, `@`, `\"` or a space, which RDS rejects: some applies fail, depending on the draw",
                        p.address
                    ),
                );
                f.address = Some(p.address.clone());
                let src = model.src(p.file);
                f.fix = set_attribute(
                    model.path(p.file),
                    src,
                    p.span.clone(),
                    override_special,
                    "override_special",
                    &format!("\"{SAFE_SPECIAL}\""),
                )
                .map(|e| {
                    Fix::new(
                        "Limit the special characters to ones RDS accepts",
                        Applicability::Unsafe,
                        vec![e],
                    )
                });
                out.push(f);
            }
        }
    }
}

/// The database whose master password comes from `password` (directly, or through
/// locals).
fn feeds_database(module: &Module<'_>, password: &Target) -> Option<String> {
    let carriers = module.carriers_of(password.clone());
    module
        .blocks
        .iter()
        .filter(|b| DATABASES.iter().any(|d| b.is_resource(d)))
        .find(|b| {
            ["password", "master_password"].iter().any(|arg| {
                b.attr(arg).is_some_and(|a| {
                    let mut refs = RefCollector::default();
                    refs.expr(&a.value);
                    refs.refs.iter().any(|r| carriers.contains(&r.target))
                })
            })
        })
        .map(|b| b.address.clone())
}
