//! # AWS Config resources created out of order
//!
//! ## What it does
//! Checks the order AWS Config needs: the delivery channel after the configuration
//! recorder, the recorder status after the delivery channel, and Config rules after the
//! recorder. Also reports a recorder that nothing starts (no
//! `aws_config_configuration_recorder_status` anywhere in the configuration: AWS creates
//! recorders stopped) and one that is started without any delivery channel. Reports a resource of the later kind that neither references nor
//! `depends_on` one of the earlier kind — directly or through other resources (a rule
//! that depends on the recorder status waits for the recorder too) — when the module
//! declares both for the same provider configuration (AWS Config is regional).
//!
//! ## Why is this bad?
//! Terraform creates independent resources in parallel. AWS rejects a delivery channel
//! without a recorder (`NoAvailableConfigurationRecorderException`), starting a
//! recorder without a channel (`NoAvailableDeliveryChannelException`), and rules without
//! a recorder. The apply fails, or passes only when the timing happens to be right.
//!
//! ## Error
//! A delivery channel that Terraform creates before the recorder fails with:
//! ```text
//! NoAvailableConfigurationRecorderException: Configuration recorder is not available to put delivery channel.
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_config_configuration_recorder_status" "main" {
//!   name       = aws_config_configuration_recorder.main.name
//!   is_enabled = true
//! }
//! ```
//! Use instead:
//! ```hcl
//! resource "aws_config_configuration_recorder_status" "main" {
//!   name       = aws_config_configuration_recorder.main.name
//!   is_enabled = true
//!   depends_on = [aws_config_delivery_channel.main]
//! }
//! ```
//!
//! ## Fix safety
//! Safe. The fix adds the dependency to `depends_on`; only the order changes.
//!
//! ## Root cause
//! The dependency is in AWS, not in any reference Terraform can see.
//!
//! ## Impact
//! Reliability: an apply that fails or passes depending on timing. The class is
//! `reliability`, not `error`, because code without the ordering often applies.
//!
//! ## References
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/config_configuration_recorder_status

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::{BlockInfo, Model};

/// `(later, earlier)`: a `later` resource must come after an `earlier` one.
const ORDER: &[(&str, &str)] = &[
    (
        "aws_config_delivery_channel",
        "aws_config_configuration_recorder",
    ),
    (
        "aws_config_configuration_recorder_status",
        "aws_config_delivery_channel",
    ),
    (
        "aws_config_config_rule",
        "aws_config_configuration_recorder",
    ),
    (
        "aws_config_conformance_pack",
        "aws_config_configuration_recorder",
    ),
];

pub struct ConfigRecorderOrdering;

impl Rule for ConfigRecorderOrdering {
    fn id(&self) -> &'static str {
        "config-recorder-ordering"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        // A race: deployed code without the ordering often applies, sometimes not.
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        self.never_started(model, out);
        for module in &model.modules {
            for &(later, earlier) in ORDER {
                let earlier_blocks: Vec<&BlockInfo<'_>> = module
                    .blocks
                    .iter()
                    .filter(|b| b.is_resource(earlier))
                    .collect();
                if earlier_blocks.is_empty() {
                    continue;
                }
                for (index, b) in module
                    .blocks
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.is_resource(later))
                {
                    // AWS Config is regional: only resources of the same provider count.
                    let region = |x: &BlockInfo<'_>| x.provider.as_ref().map(|p| p.display());
                    let same: Vec<&&BlockInfo<'_>> = earlier_blocks
                        .iter()
                        .filter(|e| region(e) == region(b))
                        .collect();
                    let Some(first) = same.first() else {
                        continue;
                    };
                    let waits = module.dependencies(index);
                    if same.iter().any(|e| {
                        module
                            .index_of(&e.address)
                            .is_some_and(|j| waits.get(j).copied().unwrap_or(false))
                    }) {
                        continue;
                    }
                    let mut f = self.finding(
                        b.file,
                        b.header(),
                        format!("`{later}` does not wait for `{earlier}`"),
                        format!(
                            "`{}` neither references nor depends on `{}`: Terraform may create it first, and AWS Config rejects it",
                            b.address, first.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = first.address.clone();
                    f.related.push(crate::finding::Related {
                        file: first.file,
                        span: first.header(),
                        message: format!("`{}`, which must exist first", first.address),
                    });
                    f.fix = crate::edits::depend_on_fix(model, b, &first.address);
                    out.push(f);
                }
            }
        }
    }
}

impl ConfigRecorderOrdering {
    /// A recorder that nothing starts (no `aws_config_configuration_recorder_status` in
    /// its module: AWS creates recorders stopped) records nothing; one whose status has no
    /// delivery channel to start with is refused. Modules that call or are called by
    /// others are left alone: the status may be there.
    fn never_started(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            if module.is_child || !module.calls.is_empty() || !module.terraform_parsed() {
                continue;
            }
            let statuses: Vec<_> = module
                .resources("aws_config_configuration_recorder_status")
                .collect();
            let has_status = !statuses.is_empty();
            // A status that keeps the recorder stopped on purpose starts nothing.
            if has_status
                && statuses
                    .iter()
                    .all(|s| s.attr("is_enabled").and_then(|a| a.value.as_bool()) == Some(false))
            {
                continue;
            }
            let has_channel = module
                .resources("aws_config_delivery_channel")
                .next()
                .is_some();
            if has_status && has_channel {
                continue;
            }
            for b in module.resources("aws_config_configuration_recorder") {
                let (title, message, severity) = if !has_status {
                    (
                        format!("`{}` is never started", b.address),
                        format!(
                            "No `aws_config_configuration_recorder_status` starts `{}`: AWS creates a configuration recorder stopped, so AWS Config records nothing and its rules evaluate nothing",
                            b.address
                        ),
                        Severity::Medium,
                    )
                } else {
                    (
                        format!("`{}` has no delivery channel", b.address),
                        format!(
                            "No `aws_config_delivery_channel` is declared for `{}`: starting the recorder fails with `NoAvailableDeliveryChannelException`, and without a channel Config delivers nothing",
                            b.address
                        ),
                        Severity::High,
                    )
                };
                let mut f = self.finding(b.file, b.header(), title, message);
                f.severity = severity;
                f.address = Some(b.address.clone());
                f.key = if has_status { "channel" } else { "status" }.into();
                out.push(f);
            }
        }
    }
}
