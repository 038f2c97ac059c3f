//! # Availability zone written out
//!
//! ## What it does
//! Reports a block that writes an availability zone name (`us-east-1a`, `eu-west-2b`)
//! as a literal — in a resource argument, a variable's default, a local value — once
//! per block, the other zones it writes as related places:
//! - high, when a resource or data source writes a zone of another region than its own
//!   provider's (the `region` of the `aws` provider block it uses, with variables and
//!   locals filled in): AWS refuses the zone there;
//! - medium otherwise (and for variables, which are reported only when used, and
//!   locals, which may serve several regions): the code works only in that region, and
//!   only where the account has those zones.
//!
//! ## Why is this bad?
//! Zone names belong to a region: a subnet or instance placed in `us-east-1a` by a
//! configuration deployed to `us-west-2` is refused ("Value (us-east-1a) for parameter
//! availabilityZone is invalid"). Within the right region, zone names are mapped to
//! physical zones per account, some zones lack instance types, and a new account may
//! not have the zone at all. `data "aws_availability_zones"` gives the zones the
//! account has in the region of the deployment.
//!
//! ## Example
//! ```hcl
//! resource "aws_subnet" "private" {
//!   count             = 2
//!   availability_zone = ["us-east-1a", "us-east-1b"][count.index]
//! }
//! ```
//! Use instead the zones of the region being deployed to:
//! ```hcl
//! data "aws_availability_zones" "available" {
//!   state = "available"
//! }
//! resource "aws_subnet" "private" {
//!   count             = 2
//!   availability_zone = data.aws_availability_zones.available.names[count.index]
//! }
//! ```
//!
//! ## Fix safety
//! No fix: the lookup and its indexing depend on how the zones are used.
//!
//! ## Root cause
//! Zones copied from an example written for one region.
//!
//! ## Impact
//! Deployment blocker in another region (high); a configuration tied to one region and
//! one account's zones (medium).
//!
//! ## References
//! - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html#concepts-availability-zones
//! - https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/availability_zones

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::eval::known;
use crate::model::expr::{Target, literal_spans};
use crate::model::{BlockInfo, BlockKind, Model, Module};
use crate::workspace::FileKind;

pub struct AvailabilityZoneHardcoded;

impl Rule for AvailabilityZoneHardcoded {
    fn id(&self) -> &'static str {
        "availability-zone-hardcoded"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in &module.blocks {
                if model.ws.files.get(b.file).map(|f| f.kind) != Some(FileKind::Terraform)
                    || matches!(
                        b.kind,
                        BlockKind::Provider | BlockKind::Terraform | BlockKind::Output
                    )
                {
                    continue;
                }
                let src = model.src(b.file);
                // Most blocks hold no `…1a"` at all: skip them before walking their
                // literals.
                if !src.get(b.span.clone()).is_some_and(may_hold_zone)
                    || (b.kind == BlockKind::Data && b.label(0) == "aws_availability_zones")
                {
                    continue;
                }
                let skipped = descriptive_spans(b.body());
                let zones: Vec<(String, std::ops::Range<usize>)> = literal_spans(b.body())
                    .into_iter()
                    .filter(|(_, span)| !skipped.iter().any(|s| s.contains(&span.start)))
                    .filter_map(|(_, span)| {
                        let text = src.get(span.clone())?.trim_matches('"');
                        zone_region(text).map(|_| (text.to_string(), span))
                    })
                    .collect();
                let Some((zone, span)) = zones.first().cloned() else {
                    continue;
                };
                if b.kind == BlockKind::Variable
                    && !module.is_referenced(&Target::Var(b.label(0).to_string()))
                {
                    continue;
                }
                let region = zone_region(&zone).unwrap_or_default();
                let own = matches!(b.kind, BlockKind::Resource | BlockKind::Data)
                    .then(|| provider_region(module, b))
                    .flatten();
                let foreign = own.as_deref().is_some_and(|r| r != region);
                let mut f = self.finding(
                    b.file,
                    span,
                    format!("Availability zone `{zone}` written out"),
                    if foreign {
                        format!(
                            "`{}` places resources in `{zone}`, a zone of {region}, but its provider deploys to {}: AWS refuses the zone there",
                            b.address,
                            own.as_deref().unwrap_or_default()
                        )
                    } else {
                        format!(
                            "`{}` writes the zone `{zone}`: the code then works only in {region}, and only in accounts that have that zone; take the zones from `data \"aws_availability_zones\"`",
                            b.address
                        )
                    },
                );
                if foreign {
                    f.severity = Severity::High;
                }
                f.address = Some(b.address.clone());
                f.related = zones
                    .iter()
                    .skip(1)
                    .take(crate::finding::MAX_RELATED_USES)
                    .map(|(z, s)| Related {
                        file: b.file,
                        span: s.clone(),
                        message: format!("`{z}` written out too"),
                    })
                    .collect();
                out.push(f);
            }
        }
    }
}

/// The spans of the arguments whose text describes rather than places: tags,
/// descriptions, the zones a lookup leaves out.
fn descriptive_spans(body: &hcl_edit::structure::Body) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<std::ops::Range<usize>> = body
        .attributes()
        .filter(|a| {
            matches!(
                a.key.as_str(),
                "tags" | "tags_all" | "default_tags" | "description" | "exclude_names"
            )
        })
        .map(crate::model::expr::span_of)
        .collect();
    for block in body.blocks() {
        out.extend(descriptive_spans(&block.body));
    }
    out
}

/// Whether `text` has a digit, a letter `a`–`f` and a closing quote in a row, as every
/// written zone name ends.
fn may_hold_zone(text: &str) -> bool {
    text.as_bytes()
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && (b'a'..=b'f').contains(&w[1]) && w[2] == b'"')
}

/// The region of a zone name (`us-east-1a` → `us-east-1`, `us-gov-west-1b` →
/// `us-gov-west-1`); `None` for anything else.
fn zone_region(text: &str) -> Option<&str> {
    if !text.is_ascii() {
        return None;
    }
    let (region, letter) = text.split_at(text.len().checked_sub(1)?);
    if !letter.chars().all(|c| ('a'..='f').contains(&c)) {
        return None;
    }
    const GEOS: &[&str] = &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn"];
    const DIRECTIONS: &[&str] = &[
        "east",
        "west",
        "north",
        "south",
        "central",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
    ];
    let digit = |n: &str| n.len() == 1 && n.chars().all(|c| c.is_ascii_digit());
    let parts: Vec<&str> = region.split('-').collect();
    let ok = match parts.as_slice() {
        [geo, dir, n] | [geo, "gov", dir, n] => {
            GEOS.contains(geo) && DIRECTIONS.contains(dir) && digit(n)
        }
        _ => false,
    };
    ok.then_some(region)
}

/// The region `b` is created in, when it is known.
pub(super) fn provider_region(module: &Module<'_>, b: &BlockInfo<'_>) -> Option<String> {
    let region = known(module, &module.region_attr(b)?.1.value);
    region.complete.then_some(region.text)
}

#[cfg(test)]
mod tests {
    use super::zone_region;

    #[test]
    fn zone_names_are_told() {
        assert_eq!(zone_region("us-east-1a"), Some("us-east-1"));
        assert_eq!(zone_region("ap-southeast-2c"), Some("ap-southeast-2"));
        assert_eq!(zone_region("us-gov-west-1b"), Some("us-gov-west-1"));
        assert_eq!(zone_region("us-east-1"), None);
        assert_eq!(zone_region("use1-az1"), None);
        assert_eq!(zone_region("my-app-1a"), None);
        assert_eq!(zone_region("a"), None);
        assert_eq!(zone_region("Sous-réseau privé"), None);
        assert_eq!(zone_region("é"), None);
    }
}
