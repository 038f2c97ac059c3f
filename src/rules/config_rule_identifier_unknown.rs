//! # AWS Config managed rule that does not exist
//!
//! ## What it does
//! Reports the `source_identifier` of an `aws_config_config_rule` whose `source` has
//! `owner = "AWS"`, and the `rule_identifier` of an
//! `aws_config_organization_managed_rule`, when the identifier (written out, or known
//! through variables and locals) is not an AWS Config managed rule identifier: not one of
//! the identifiers of tfreview's list, `schemas/aws-config-managed-rules.txt`, taken from
//! the AWS CDK's `ManagedRuleIdentifiers`, with the closest listed ones (most of its
//! words: `DB_BACKUP_ENABLED` for `DB_INSTANCE_BACKUP_ENABLED`). Medium: AWS adds managed
//! rules faster than the list (`EKS_CLUSTER_LOGGING_ENABLED` is one it lacks), so an
//! identifier it does not have may be a newer rule. A rule with `count = 0` is never
//! created, and is not reported.
//!
//! ## Why is this bad?
//! AWS Config accepts only the identifiers of its managed rules: `PutConfigRule` fails with
//! `InvalidParameterValueException: The sourceIdentifier … is invalid` (for an
//! organization rule, `The ruleIdentifier … is invalid`), and the apply stops there. Identifiers are easy to guess wrongly from a rule's name in the console
//! (`kms-rotation` is `CMK_BACKING_KEY_ROTATION_ENABLED`).
//!
//! ## Example
//! ```hcl
//! resource "aws_config_config_rule" "backups" {
//!   name = "db-backups"
//!   source {
//!     owner             = "AWS"
//!     source_identifier = "DB_BACKUP_ENABLED"
//!   }
//! }
//! ```
//! Use instead the managed rule's identifier:
//! ```hcl
//!     source_identifier = "DB_INSTANCE_BACKUP_ENABLED"
//! ```
//!
//! ## Fix safety
//! No fix: the closest listed identifier may be another rule than the one meant, and may
//! take other parameters (`input_parameters`).
//!
//! ## Root cause
//! The identifier was written from the rule's description or its console name.
//!
//! ## Impact
//! The apply fails at the rule.
//!
//! ## References
//! - https://docs.aws.amazon.com/config/latest/developerguide/managed-rules-by-aws-config.html
//! - https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_config.ManagedRuleIdentifiers.html
//! - https://github.com/awslabs/aws-config-rules/issues/437 (the error, quoted)

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::eval::known;
use crate::model::expr::{span_of, static_str};
use crate::model::schema::config_rules;
use crate::model::{BlockInfo, Model};

pub struct ConfigRuleIdentifierUnknown;

impl Rule for ConfigRuleIdentifierUnknown {
    fn id(&self) -> &'static str {
        "config-rule-identifier-unknown"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            let mut places: Vec<(&BlockInfo<'_>, &hcl_edit::structure::Attribute)> = Vec::new();
            for b in module.resources("aws_config_config_rule") {
                for source in b.body().get_blocks("source") {
                    let owner = source
                        .body
                        .get_attribute("owner")
                        .map(|o| known(module, &o.value));
                    if !owner.is_some_and(|o| o.complete && o.text == "AWS") {
                        continue;
                    }
                    if let Some(id) = source.body.get_attribute("source_identifier") {
                        places.push((b, id));
                    }
                }
            }
            for b in module.resources("aws_config_organization_managed_rule") {
                if let Some(id) = b.attr("rule_identifier") {
                    places.push((b, id));
                }
            }
            for (b, attr) in places {
                // `count = 0`: the rule is never created.
                if b.attr("count")
                    .is_some_and(|c| known(module, &c.value).text == "0")
                {
                    continue;
                }
                let value = known(module, &attr.value);
                if !value.complete || value.text.is_empty() || config_rules::known(&value.text) {
                    continue;
                }
                let close = config_rules::closest(&value.text);
                let suggestion = match close.as_slice() {
                    [] => String::new(),
                    [one] => format!("; the closest listed identifier is `{one}`"),
                    [init @ .., last] => format!(
                        "; the closest listed identifiers are {} and `{last}`",
                        init.iter()
                            .map(|c| format!("`{c}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                let mut f = self.finding(
                    b.file,
                    span_of(&attr.value),
                    format!("`{}` is not an AWS Config managed rule", value.text),
                    format!(
                        "`{}` names the managed rule `{}`, which is not among the {} identifiers of AWS Config managed rules that tfreview knows ({}): AWS Config rejects an identifier it does not have (`The sourceIdentifier … is invalid`) and the apply stops{}{}",
                        b.address,
                        value.text,
                        config_rules::count(),
                        config_rules::SOURCE,
                        if close.is_empty() {
                            ", unless it is a managed rule newer than the list"
                        } else {
                            ""
                        },
                        suggestion,
                    ),
                );
                f.address = Some(b.address.clone());
                f.key = value.text.clone();
                // Where a variable or local writes the identifier out.
                if static_str(&attr.value).is_none() {
                    for (file, expr) in
                        crate::model::eval::literal_sources(model, module, b.file, &attr.value)
                    {
                        f.related.push(crate::finding::Related {
                            file,
                            span: span_of(expr),
                            message: "where the identifier is written".into(),
                        });
                    }
                }
                out.push(f);
            }
        }
    }
}
