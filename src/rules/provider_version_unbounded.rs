//! # Version constraints without an upper bound
//!
//! ## What it does
//! Reports a provider version (`required_providers`) or Terraform version
//! (`required_version`) constraint that has a lower bound and no upper bound, such as
//! `>= 5.0`.
//!
//! ## Why is this bad?
//! A constraint without an upper bound accepts every future major version. The next major
//! release of a provider (AWS 5 → 6) removes and renames arguments, and `terraform init`
//! on a fresh machine picks it up: code that planned yesterday fails today.
//!
//! ## Example
//! ```hcl
//! aws = {
//!   source  = "hashicorp/aws"
//!   version = ">= 5.0"
//! }
//! ```
//! Use instead:
//! ```hcl
//! aws = {
//!   source  = "hashicorp/aws"
//!   version = ">= 5.0, < 6.0.0"
//! }
//! ```
//!
//! ## Fix safety
//! Safe. The fix adds an upper bound below the next major version of the lower bound,
//! which is what `~>` on the major version means; when the module's code needs the newer
//! major that the constraint installs today (it uses arguments or blocks that only the
//! bundled schema of that major has, or omits ones the older major requires), the bound
//! goes below the major after that one, so that the fix does not break the code.
//!
//! ## Root cause
//! `>=` was used where the intent was "at least this version of this major release".
//!
//! ## Impact
//! Reliability: deployments are not repeatable, and a new major release can break the
//! configuration without any change to it.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/expressions/version-constraints

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::expr::{object_get, span_of, static_str};
use crate::model::{BlockKind, Model};

pub struct ProviderVersionUnbounded;

impl Rule for ProviderVersionUnbounded {
    fn id(&self) -> &'static str {
        "provider-version-unbounded"
    }

    fn severity(&self) -> Severity {
        Severity::Low
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            // Per provider, once per module: a module may constrain it in many blocks.
            let mut needed_by: std::collections::HashMap<&str, Option<u64>> =
                std::collections::HashMap::new();
            for t in module.blocks_of(BlockKind::Terraform) {
                let mut constraints = Vec::new();
                if let Some(attr) = t.attr("required_version") {
                    constraints.push(("Terraform".to_string(), &attr.value, None));
                }
                for rp in t.body().get_blocks("required_providers") {
                    for attr in rp.body.attributes() {
                        if let Some(obj) = attr.value.as_object()
                            && let Some((_, v)) = object_get(obj, "version")
                        {
                            constraints.push((
                                format!("provider `{}`", attr.key.as_str()),
                                v.expr(),
                                Some(attr.key.as_str()),
                            ));
                        }
                    }
                }
                for (what, expr, provider) in constraints {
                    let Some(text) = static_str(expr) else {
                        continue;
                    };
                    let Some(major) = unbounded_major(&text) else {
                        continue;
                    };
                    // The code may need the major that the constraint installs today (names
                    // only it has): the bound stays above that one.
                    let needed = provider
                        .and_then(|p| {
                            *needed_by.entry(p).or_insert_with(|| {
                                crate::model::schema::check::major_needed(model, module, p)
                            })
                        })
                        .filter(|&n| n > major);
                    // `>= 18446744073709551615` has no next major to bound it by.
                    let Some(next) = needed.unwrap_or(major).checked_add(1) else {
                        continue;
                    };
                    let span = span_of(expr);
                    let bounded = format!("{text}, < {next}.0.0");
                    let mut f = self.finding(
                        t.file,
                        span.clone(),
                        format!("{} version constraint has no upper bound", super::capitalise(&what)),
                        format!(
                            "the {what} constraint `{text}` accepts every future major version, including {next}.x and its breaking changes{}",
                            needed.map_or(String::new(), |n| format!(
                                "; the module's code needs {n}.x (it uses what only the bundled {n}.x schema has, or omits what {}.x required), which the constraint installs today",
                                n - 1
                            ))
                        ),
                    );
                    f.address = Some("terraform".into());
                    f.key = what.clone();
                    f.fix = Some(Fix::new(
                        format!("Bound the {what} version: `{bounded}`"),
                        Applicability::Safe,
                        vec![Edit::replace(
                            model.path(t.file),
                            span,
                            format!("\"{bounded}\""),
                        )],
                    ));
                    out.push(f);
                }
            }
        }
    }
}

/// The major version of the lower bound of a constraint that has no upper bound.
fn unbounded_major(constraint: &str) -> Option<u64> {
    let mut lower_major = None;
    let mut upper = false;
    for part in constraint.split(',') {
        let part = part.trim();
        let (op, version) = ["~>", ">=", "<=", "!=", ">", "<", "="]
            .iter()
            .find_map(|op| part.strip_prefix(op).map(|v| (*op, v.trim())))
            .unwrap_or(("=", part));
        let major = version
            .split('.')
            .next()
            .and_then(|m| m.parse::<u64>().ok());
        match op {
            ">=" | ">" => lower_major = lower_major.max(major),
            "<" | "<=" | "~>" | "=" => upper = true,
            _ => {}
        }
    }
    if upper { None } else { lower_major }
}

#[cfg(test)]
mod tests {
    use super::unbounded_major;

    #[test]
    fn only_lower_bounds_without_upper_bounds_count() {
        assert_eq!(unbounded_major(">= 5.0"), Some(5));
        assert_eq!(unbounded_major(">=1.4.0"), Some(1));
        assert_eq!(unbounded_major("> 4.2, != 4.5"), Some(4));
        assert_eq!(unbounded_major("~> 5.0"), None);
        assert_eq!(unbounded_major(">= 5.0, < 6.0"), None);
        assert_eq!(unbounded_major("5.31.0"), None);
        assert_eq!(unbounded_major(""), None);
    }
}
