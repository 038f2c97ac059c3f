//! # Generated database password may contain characters the database rejects
//!
//! ## What it does
//! Reports a `random_password` that feeds a database master password (`password` or
//! `master_password` of `aws_db_instance`, `aws_rds_cluster`, `aws_docdb_cluster`,
//! `aws_redshift_cluster`, `aws_neptune_cluster`, directly or through a local) and may
//! produce `/`, `@`, `"` or a space: `special` is not `false` and `override_special` is
//! absent or contains one of them. Likewise for an ElastiCache replication group's
//! `auth_token`, which the provider checks for the same characters once the password
//! is drawn, during the apply ("only alphanumeric characters or symbols (excluding @, \", and /) allowed in
//! \"auth_token\"").
//!
//! ## Why is this bad?
//! RDS accepts printable ASCII except `/`, `@`, `"` and space. With the default special
//! characters, some applies fail with "InvalidParameterValue: The parameter
//! MasterUserPassword is not a valid password" — at random, depending on the draw.
//! For an ElastiCache AUTH token the provider refuses the drawn value during the apply
//! instead; the fix keeps to the characters ElastiCache documents (`!&#$^<>-`).
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
//! - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints
//! - https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html

use super::{Class, Rule};
use crate::edits::set_attribute;
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::model::expr::{RefCollector, Target, static_str};
use crate::model::{Model, Module};

/// Where a generated password goes, and the characters the service takes.
struct Sink {
    types: &'static [&'static str],
    arguments: &'static [&'static str],
    service: &'static str,
    /// Whether the service takes a special character (letters and digits it always
    /// takes).
    takes: fn(char) -> bool,
    /// The special characters the fix keeps.
    safe: &'static str,
}

const SINKS: &[Sink] = &[
    Sink {
        types: &[
            "aws_db_instance",
            "aws_rds_cluster",
            "aws_docdb_cluster",
            "aws_redshift_cluster",
            "aws_neptune_cluster",
        ],
        arguments: &["password", "master_password"],
        service: "RDS",
        takes: |c| !matches!(c, '/' | '@' | '"' | ' '),
        safe: "!#$%&*()-_=+[]{}<>:?",
    },
    Sink {
        types: &["aws_elasticache_replication_group"],
        arguments: &["auth_token"],
        service: "ElastiCache",
        // The provider refuses these once the value is known; ElastiCache documents a
        // narrower set, which the fix keeps to.
        takes: |c| !matches!(c, '/' | '@' | '"' | ' '),
        safe: "!&#$^<>-",
    },
];

/// The special characters `random_password` draws from by default.
const DEFAULT_SPECIAL: &str = "!@#$%&*()-_=+[]{}<>:?";

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
                let special = match override_special {
                    Some(o) => match static_str(&o.value) {
                        Some(chars) => chars,
                        None => continue,
                    },
                    None => DEFAULT_SPECIAL.to_string(),
                };
                let target = Target::Resource {
                    ty: "random_password".into(),
                    name: p.label(1).to_string(),
                };
                let Some((db, argument, sink)) = fed(module, &target) else {
                    continue;
                };
                let refused: String = special
                    .chars()
                    .filter(|c| !c.is_ascii_alphanumeric() && !(sink.takes)(*c))
                    .fold(String::new(), |mut acc, c| {
                        if !acc.contains(c) {
                            acc.push(c);
                        }
                        acc
                    });
                if refused.is_empty() {
                    continue;
                }
                let service = sink.service;
                let mut f = self.finding(
                    p.file,
                    p.header(),
                    format!("`{}` may generate characters {service} rejects", p.address),
                    format!(
                        "`{}` feeds `{argument}` of `{db}` and may contain `{refused}`, which {service} rejects: some applies fail, depending on the draw",
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
                    &format!("\"{}\"", sink.safe),
                )
                .map(|e| {
                    Fix::new(
                        format!("Limit the special characters to ones {service} accepts"),
                        Applicability::Unsafe,
                        vec![e],
                    )
                });
                out.push(f);
            }
        }
    }
}

/// The database (or cache) whose password comes from `password` (directly, or through
/// locals), the argument, and what the service takes.
fn fed(module: &Module<'_>, password: &Target) -> Option<(String, &'static str, &'static Sink)> {
    let carriers = module.carriers_of(password.clone());
    module.blocks.iter().find_map(|b| {
        let sink = SINKS
            .iter()
            .find(|s| s.types.iter().any(|t| b.is_resource(t)))?;
        let argument = sink.arguments.iter().find(|arg| {
            b.attr(arg).is_some_and(|a| {
                let mut refs = RefCollector::default();
                refs.expr(&a.value);
                refs.refs.iter().any(|r| carriers.contains(&r.target))
            })
        })?;
        Some((b.address.clone(), *argument, sink))
    })
}
