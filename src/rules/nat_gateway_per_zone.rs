//! # A NAT gateway per zone, with no switch for one
//!
//! ## What it does
//! Reports the NAT gateways of one region (one provider configuration) of a module when
//! there are two or more of them and nothing lets a deployment choose a single one: a
//! `count` that is a number of two or more, the length of a list of two or more (a
//! variable's default, a local), a `count` or `for_each` over the zones or subnets, or
//! several NAT gateway resources. A `count` written as a conditional with a branch of 0
//! or 1 (`var.single_nat_gateway ? 1 : length(var.azs)`), a conditional `for_each`, or a
//! `count` that is a variable of its own (`count = var.nat_gateway_count`) is the
//! switch, and the rule stays quiet. The finding is raised to medium when the module's Elastic IPs in that
//! region are known to number five or more, the default quota.
//!
//! In the `contract` profile (on in task folders): for a production network a gateway
//! per zone is often what a reviewer asks for.
//!
//! ## Why is this bad?
//! Each NAT gateway costs about $32 a month before data processing, and takes one of the
//! region's Elastic IP addresses, of which an account has five by default. A gateway per
//! zone is the highly available choice for production, but a test or review account
//! that deploys many stacks runs out of addresses (`AddressLimitExceeded`) and pays for
//! gateways that carry little. Reviewers ask for the choice to be a variable.
//!
//! ## Example
//! ```hcl
//! resource "aws_nat_gateway" "main" {
//!   count         = length(var.availability_zones)
//!   allocation_id = aws_eip.nat[count.index].id
//!   subnet_id     = aws_subnet.public[count.index].id
//! }
//! ```
//! Use instead a switch, one gateway unless production asks for one per zone:
//! ```hcl
//! resource "aws_nat_gateway" "main" {
//!   count         = var.single_nat_gateway ? 1 : length(var.availability_zones)
//!   allocation_id = aws_eip.nat[count.index].id
//!   subnet_id     = aws_subnet.public[count.index].id
//! }
//! ```
//!
//! ## Fix safety
//! No fix: the switch needs a variable and routes that follow it (each private route
//! table then names gateway `[0]`), which is a design choice.
//!
//! ## Root cause
//! The production pattern of a gateway per zone was applied to every environment.
//!
//! ## Impact
//! Cost, and deployments that fail on the Elastic IP quota in shared accounts.
//!
//! ## References
//! - https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-pricing.html
//! - https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-eips

use std::collections::BTreeMap;

use hcl_edit::expr::Expression;

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::eval::count;
use crate::model::expr::{span_of, traversal_path};
use crate::model::{BlockInfo, Model, Module};

pub struct NatGatewayPerZone;

/// Whether a `count` is a switch with a branch of at most one gateway.
fn switched(module: &Module<'_>, expr: &Expression) -> bool {
    match expr {
        Expression::Parenthesis(p) => switched(module, p.inner()),
        Expression::Conditional(c) => [&c.true_expr, &c.false_expr]
            .iter()
            .any(|e| switched(module, e) || count(module, e).is_some_and(|n| n <= 1)),
        _ => false,
    }
}

/// How many gateways a NAT gateway resource makes: `Some(n)` when known, `None` for
/// "one per zone or subnet" (a count or `for_each` over them); `Err` when it is a
/// switch or cannot be told.
fn instances(module: &Module<'_>, model: &Model<'_>, b: &BlockInfo<'_>) -> Result<Option<u64>, ()> {
    let repeat = match (b.attr("count"), b.attr("for_each")) {
        (None, None) => return Ok(Some(1)),
        (Some(c), _) => c,
        (None, Some(f)) => f,
    };
    // A conditional `count` or `for_each` with a single branch, or a count that is a
    // variable of its own (`count = var.nat_gateway_count`): the deployment chooses.
    let conditional_for_each =
        b.attr("for_each").is_some() && matches!(repeat.value, Expression::Conditional(_));
    let own_variable =
        b.attr("count").is_some() && matches!(traversal_path(&repeat.value), Some(("var", _)));
    if switched(module, &repeat.value) || conditional_for_each || own_variable {
        return Err(());
    }
    if b.attr("count").is_some()
        && let Some(n) = count(module, &repeat.value)
    {
        return Ok(Some(n));
    }
    let text = model
        .src(b.file)
        .get(span_of(&repeat.value))
        .unwrap_or("")
        .to_ascii_lowercase();
    if ["zone", "azs", "az_", "subnet"]
        .iter()
        .any(|w| text.contains(w))
    {
        Ok(None)
    } else {
        Err(())
    }
}

impl Rule for NatGatewayPerZone {
    fn id(&self) -> &'static str {
        "nat-gateway-per-zone"
    }

    fn severity(&self) -> Severity {
        Severity::Low
    }

    fn class(&self) -> Class {
        Class::Contract
    }

    /// A convention of reviews of task answers, deployed to shared test accounts: on in
    /// task folders, chosen elsewhere (`profiles = ["contract"]`). A gateway per zone is
    /// the right choice for many production networks.
    fn profile(&self) -> Option<&'static str> {
        Some(super::CONTRACT)
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            // Per provider configuration (a region): the gateways and how many each makes.
            let mut regions: BTreeMap<String, Vec<(&BlockInfo<'_>, Option<u64>)>> = BTreeMap::new();
            let mut switch = false;
            for b in module.resources("aws_nat_gateway") {
                let private = b
                    .attr("connectivity_type")
                    .and_then(|c| crate::model::expr::static_str(&c.value))
                    .is_some_and(|c| c == "private");
                if private {
                    continue;
                }
                match instances(module, model, b) {
                    Ok(n) => {
                        let region = b.provider.as_ref().map(|p| p.display()).unwrap_or_default();
                        regions.entry(region).or_default().push((b, n));
                    }
                    Err(()) => switch = true,
                }
            }
            if switch {
                continue;
            }
            for (region, gateways) in regions {
                let known_total: u64 = gateways.iter().filter_map(|(_, n)| *n).sum();
                let per_zone = gateways.iter().any(|(_, n)| n.is_none());
                if known_total < 2 && !per_zone {
                    continue;
                }
                let Some(&(first, n)) = gateways.first() else {
                    continue;
                };
                let region_eips: Vec<&BlockInfo<'_>> = module
                    .resources("aws_eip")
                    .filter(|e| {
                        e.provider.as_ref().map(|p| p.display()).unwrap_or_default() == region
                    })
                    .collect();
                let eips: Option<u64> = region_eips
                    .iter()
                    .map(|e| match (e.attr("count"), e.attr("for_each")) {
                        (None, None) => Some(1),
                        (Some(c), _) => count(module, &c.value),
                        _ => None,
                    })
                    .sum();
                let how_many = if per_zone {
                    "A NAT gateway per zone".to_string()
                } else {
                    format!("{known_total} NAT gateways")
                };
                let span = first
                    .attr("count")
                    .or_else(|| first.attr("for_each"))
                    .map_or_else(|| first.header(), |a| span_of(&a.value));
                let mut f = self.finding(
                    first.file,
                    span,
                    format!(
                        "{} in one region, with no switch for a single one",
                        if per_zone || n != Some(known_total) {
                            how_many.clone()
                        } else {
                            format!("`{}` makes {known_total} NAT gateways", first.address)
                        }
                    ),
                    format!(
                        "the module creates {}{}: each costs about $32 a month before data, and takes one of the region's Elastic IPs (five by default{}); nothing lets a test deployment use one gateway",
                        how_many.to_lowercase().replacen("nat", "NAT", 1),
                        if region.is_empty() {
                            String::new()
                        } else {
                            format!(" through provider `{region}`")
                        },
                        match eips {
                            Some(e) if e > 5 => format!(
                                ", and the module allocates {e} there: more than the quota allows without an increase, so `AddressLimitExceeded` stops the apply"
                            ),
                            Some(e) => format!(", and the module allocates {e} there"),
                            None => String::new(),
                        }
                    ),
                );
                if eips.is_some_and(|e| e >= 5) {
                    f.severity = Severity::Medium;
                }
                f.address = Some(first.address.clone());
                f.key = region.clone();
                f.related = gateways
                    .iter()
                    .skip(1)
                    .map(|(g, _)| Related {
                        file: g.file,
                        span: g.header(),
                        message: "another NAT gateway of the region".into(),
                    })
                    .collect();
                // The addresses they take, where the quota is spent.
                f.related.extend(region_eips.iter().map(|e| {
                    Related {
                        file: e.file,
                        span: e
                            .attr("count")
                            .map_or_else(|| e.header(), |c| span_of(&c.value)),
                        message: "Elastic IPs of the region".into(),
                    }
                }));
                out.push(f);
            }
        }
    }
}
