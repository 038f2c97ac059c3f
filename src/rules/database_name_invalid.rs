//! # Initial database name that RDS refuses
//!
//! ## What it does
//! Reports the initial database name of an `aws_db_instance` (`db_name`, `name` before
//! provider 5) or an `aws_rds_cluster` (`database_name`) when its value is known —
//! written out, or built from locals, variable defaults and tfvars values — and is not
//! a name RDS accepts for MySQL, MariaDB, PostgreSQL or Aurora: it must begin with a
//! letter and hold only letters, digits and `_`, at most 64 characters (63 for
//! PostgreSQL). Names made with a hyphen (`"${var.project}-db"`) are the usual case.
//! Oracle and SQL Server, which have rules of their own, are not checked, nor are read
//! replicas (`replicate_source_db`), nor names built from variables in a child module
//! (whose callers may pass other values than the defaults).
//!
//! ## Why is this bad?
//! The database is refused when it is created, after `plan` accepted it:
//!
//! ## Error
//! ```text
//! Error: creating RDS DB Instance (app): InvalidParameterValue: DBName must begin with a
//! letter and contain only alphanumeric characters.
//! ```
//! and for a cluster, `DatabaseName must begin with a letter and contain only
//! alphanumeric characters.`
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "app" {
//!   engine  = "postgres"
//!   db_name = "${var.project}-db" # project = "shop"
//! }
//! ```
//! Use instead `db_name = "${replace(var.project, "-", "_")}_db"`, or a plain name
//! such as `"appdb"`.
//!
//! ## Fix safety
//! Unsafe, and only for a name written out in the block: the fix writes it with `_` for
//! every character RDS refuses (and a letter first). Code that connects to the database
//! by name must follow.
//!
//! ## Root cause
//! The database name was built like a resource name, which takes hyphens.
//!
//! ## Impact
//! Deployment blocker: the database is not created, and what depends on it waits.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
//! https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html

use hcl_edit::expr::Expression;

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Related, Severity};
use crate::model::Model;
use crate::model::eval::{known, written_at};
use crate::model::expr::{RefCollector, Target, span_of, static_str};

pub struct DatabaseNameInvalid;

/// The resources that create an initial database, and the argument that names it.
const NAMED: [(&str, &str); 3] = [
    ("aws_db_instance", "db_name"),
    ("aws_db_instance", "name"),
    ("aws_rds_cluster", "database_name"),
];

impl Rule for DatabaseNameInvalid {
    fn id(&self) -> &'static str {
        "database-name-invalid"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for (ty, arg) in NAMED {
                for b in module.resources(ty) {
                    let Some(attr) = b.attr(arg) else {
                        continue;
                    };
                    // A read replica takes its source's databases: the name is not sent.
                    if b.attr("replicate_source_db").is_some() {
                        continue;
                    }
                    // In a child module, a variable's default may be what no caller
                    // uses: values built from variables are left alone there.
                    let from_variables = |e: &Expression| {
                        let mut refs = RefCollector::default();
                        refs.expr(e);
                        refs.refs.iter().any(|r| matches!(r.target, Target::Var(_)))
                    };
                    if module.is_child
                        && (from_variables(&attr.value)
                            || b.attr("engine").is_some_and(|e| from_variables(&e.value)))
                    {
                        continue;
                    }
                    // The engine: written out, or unknown (then the common rules apply
                    // unless it may be Oracle or SQL Server).
                    let engine = b
                        .attr("engine")
                        .map(|e| known(module, &e.value))
                        .filter(|k| k.complete)
                        .map(|k| k.text.to_ascii_lowercase());
                    let engine = match (ty, engine) {
                        (_, Some(e)) => e,
                        // RDS's default for a cluster is Aurora MySQL.
                        ("aws_rds_cluster", None) => "aurora-mysql".to_string(),
                        _ => continue,
                    };
                    if engine.starts_with("oracle") || engine.starts_with("sqlserver") {
                        continue;
                    }
                    let value = known(module, &attr.value);
                    if !value.complete || value.text.is_empty() {
                        continue;
                    }
                    let limit = if engine.contains("postgres") { 63 } else { 64 };
                    let Some(problem) = name_problem(&value.text, limit) else {
                        continue;
                    };
                    let name = &value.text;
                    let api = if ty == "aws_rds_cluster" {
                        "DatabaseName"
                    } else {
                        "DBName"
                    };
                    let mut f = self.finding(
                        b.file,
                        span_of(&attr.value),
                        format!("Database name `{name}` that RDS refuses"),
                        format!(
                            "`{}` names its initial database `{name}` ({arg}), which {problem}: RDS refuses it when the database is created (\"InvalidParameterValue: {api} must begin with a letter and contain only alphanumeric characters\")",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = arg.to_string();
                    let written = written_at(model, module, b.file, &attr.value);
                    if !written.own {
                        f.related.push(Related {
                            file: written.file,
                            span: written.span,
                            message: "where the name's text is written".into(),
                        });
                    }
                    if matches!(attr.value, Expression::String(_))
                        && static_str(&attr.value).as_deref() == Some(name.as_str())
                    {
                        let fixed = valid_name(name, limit);
                        f.fix = Some(Fix::new(
                            format!("Name the database `{fixed}`"),
                            Applicability::Unsafe,
                            vec![Edit::replace(
                                model.path(b.file),
                                span_of(&attr.value),
                                format!("\"{fixed}\""),
                            )],
                        ));
                    }
                    out.push(f);
                }
            }
        }
    }
}

/// What is wrong with a database name, if anything.
fn name_problem(name: &str, limit: usize) -> Option<String> {
    let first = name.chars().next()?;
    if !first.is_ascii_alphabetic() {
        return Some(format!("begins with `{first}`, not a letter"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Some(format!("holds `{bad}`"));
    }
    let length = name.chars().count();
    (length > limit).then(|| format!("is {length} characters long, over {limit}"))
}

/// `name` with `_` for every character RDS refuses, a letter first, and cut to `limit`.
fn valid_name(name: &str, limit: usize) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert(0, 'd');
    }
    out.chars().take(limit).collect()
}

#[cfg(test)]
mod tests {
    use super::{name_problem, valid_name};

    #[test]
    fn names_rds_takes_and_refuses() {
        for ok in ["appdb", "app_db", "A1", "payments2024"] {
            assert_eq!(name_problem(ok, 63), None, "{ok}");
        }
        for bad in ["app-db", "1app", "_app", "app.db", "app db", "é"] {
            assert!(name_problem(bad, 63).is_some(), "{bad}");
        }
        assert!(name_problem(&"a".repeat(64), 63).is_some());
        assert!(name_problem(&"a".repeat(64), 64).is_none());
        assert_eq!(valid_name("shop-db", 63), "shop_db");
        assert_eq!(valid_name("1st", 63), "d1st");
    }
}
