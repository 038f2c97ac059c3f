//! # AMI id written into the configuration
//!
//! ## What it does
//! Reports a literal AMI id (`ami-` and 8 or 17 hexadecimal digits) given as the image of
//! an `aws_instance` (`ami`), an `aws_launch_template` (`image_id`) or an
//! `aws_launch_configuration` (`image_id`) — directly, or through a variable's default,
//! a tfvars value or a local, which is then where the finding is. Made-up ids such as
//! `ami-12345678` are `placeholder-value`'s.
//!
//! ## Why is this bad?
//! An AMI id exists in one region only, and public AMIs are deprecated and removed: the
//! configuration fails in any other region and, later, in its own.
//!
//! ## Example
//! ```hcl
//! resource "aws_instance" "web" {
//!   ami = "ami-0c02fb55956c7d316"
//! }
//! ```
//! Use instead a lookup:
//! ```hcl
//! data "aws_ssm_parameter" "al2023" {
//!   name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
//! }
//!
//! resource "aws_instance" "web" {
//!   ami = data.aws_ssm_parameter.al2023.value
//! }
//! ```
//!
//! ## Fix safety
//! No fix: which image family to look up is the reviewer's decision.
//!
//! ## Root cause
//! An id was copied from a console or an example for one region.
//!
//! ## Impact
//! Deployment fails in other regions (`InvalidAMIID.NotFound`) and once the image is
//! deregistered.
//!
//! ## References
//! https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters-ami.html

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::eval::literal_sources;
use crate::model::expr::{span_of, static_str};
use crate::model::{BlockKind, Model};

const IMAGE_ARGUMENTS: &[(&str, &str)] = &[
    ("aws_instance", "ami"),
    ("aws_launch_template", "image_id"),
    ("aws_launch_configuration", "image_id"),
];

pub struct AmiIdHardcoded;

impl Rule for AmiIdHardcoded {
    fn id(&self) -> &'static str {
        "ami-id-hardcoded"
    }

    fn severity(&self) -> Severity {
        Severity::Low
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        let mut seen = std::collections::HashSet::new();
        for module in &model.modules {
            for b in module.blocks_of(BlockKind::Resource) {
                let Some((_, arg)) = IMAGE_ARGUMENTS.iter().find(|(t, _)| *t == b.label(0)) else {
                    continue;
                };
                let Some(attr) = b.attr(arg) else {
                    continue;
                };
                for (file, e) in literal_sources(model, module, b.file, &attr.value) {
                    let Some(id) = static_str(e).filter(|s| is_real_ami_id(s)) else {
                        continue;
                    };
                    let span = span_of(e);
                    if !seen.insert((file, span.start)) {
                        continue;
                    }
                    let mut f = self.finding(
                        file,
                        span.clone(),
                        format!("AMI id `{id}` is written into the configuration"),
                        format!(
                            "`{}` {arg} is the literal `{id}`: it exists in one region only and disappears when the image is deregistered; look it up (`aws_ami` data source or an SSM public parameter)",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = id.clone();
                    if file != b.file || span != span_of(&attr.value) {
                        f.related.push(Related {
                            file: b.file,
                            span: span_of(&attr.value),
                            message: format!("the {arg} of `{}`", b.address),
                        });
                    }
                    out.push(f);
                }
            }
        }
    }
}

/// `ami-` and 8 or 17 lowercase hex digits, not a made-up run (`ami-12345678`,
/// `ami-00000000`, `ami-xxxxxxxx`).
fn is_real_ami_id(s: &str) -> bool {
    let Some(hex) = s.strip_prefix("ami-") else {
        return false;
    };
    if !(hex.len() == 8 || hex.len() == 17)
        || !hex
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    {
        return false;
    }
    let made_up = hex.starts_with("12345678")
        || hex.starts_with("0123456789abcdef")
        || hex.bytes().all(|c| c == hex.as_bytes()[0]);
    !made_up
}
