//! # NAT gateway that no route uses
//!
//! ## What it does
//! Reports an `aws_nat_gateway` that nothing in the module refers to: no route
//! (`aws_route`, a `route` block of `aws_route_table`), no module call, no local value
//! names it (an output counts only in a child module, whose caller may route through
//! it). Its private subnets then have no way out. The module's route tables that have
//! no route at all are named as related places: where the missing route belongs.
//!
//! It also reports a gateway per item (`count` other than 0 or 1 either way, or
//! `for_each`) of which every route (`aws_route`, a `route` block of
//! `aws_route_table`) names one instance by a written-out index
//! (`aws_nat_gateway.main[0].id`): the other instances carry nothing. A `count` of
//! `var.enabled ? 1 : 0` makes one gateway at most, and is not reported.
//!
//! ## Why is this bad?
//! A NAT gateway only carries the traffic a route table sends to it. Without a route the
//! gateway and its Elastic IP are billed every hour while the private subnets still
//! cannot reach the internet: package installs, image pulls and calls to AWS APIs from
//! them time out.
//!
//! ## Example
//! ```hcl
//! resource "aws_nat_gateway" "main" {
//!   allocation_id = aws_eip.nat.id
//!   subnet_id     = aws_subnet.public.id
//! }
//!
//! resource "aws_route_table" "private" {
//!   vpc_id = aws_vpc.main.id
//! }
//! ```
//! Use instead a default route through it:
//! ```hcl
//! resource "aws_route" "private_egress" {
//!   route_table_id         = aws_route_table.private.id
//!   destination_cidr_block = "0.0.0.0/0"
//!   nat_gateway_id         = aws_nat_gateway.main.id
//! }
//! ```
//!
//! ## Fix safety
//! No fix: which route tables should use it is the reviewer's decision.
//!
//! ## Root cause
//! The routes were left out, or made conditional and never written.
//!
//! ## Impact
//! Cost without effect, and private workloads without egress.
//!
//! ## References
//! https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-scenarios.html

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::expr::Target;
use crate::model::{BlockKind, Model};

pub struct NatGatewayUnrouted;

impl NatGatewayUnrouted {
    /// A gateway per zone (`count`, `for_each`) of which every route uses one instance
    /// only, by a written-out index (`aws_nat_gateway.main[0].id`): the others carry no
    /// traffic.
    fn one_instance_used(
        &self,
        model: &Model<'_>,
        module: &crate::model::Module<'_>,
        b: &crate::model::BlockInfo<'_>,
        uses: &[&crate::model::Reference],
    ) -> Option<Finding> {
        let repeat = b.attr("count").or_else(|| b.attr("for_each"))?;
        // `count = 1`, `count = var.x ? 1 : 0`: one gateway at most.
        if b.attr("count").is_some() && at_most_one(module, &repeat.value) {
            return None;
        }
        // The routes only: an alarm or a local may name one gateway for other reasons.
        let routes: Vec<&&crate::model::Reference> = uses
            .iter()
            .filter(|r| {
                module
                    .owner_block(r.from)
                    .is_some_and(|o| o.is_resource("aws_route") || o.is_resource("aws_route_table"))
            })
            .collect();
        if routes.is_empty() {
            return None;
        }
        let mut index = None;
        for r in &routes {
            let text = model.src(r.file).get(r.span.clone())?;
            let rest = text.strip_prefix(b.address.as_str())?.strip_prefix('[')?;
            let (key, _) = rest.split_once(']')?;
            let key = key.trim();
            let literal = key.parse::<u64>().is_ok()
                || (key.len() >= 2 && key.starts_with('"') && key.ends_with('"'));
            if !literal || index.get_or_insert(key) != &key {
                return None;
            }
        }
        let index = index?;
        let mut f = self.finding(
            b.file,
            crate::model::expr::span_of(&repeat.value),
            format!("Only `{}[{index}]` carries traffic", b.address),
            format!(
                "`{}` makes a gateway per item, but every route names `[{index}]`: the others, each with its Elastic IP, are billed and carry nothing, and every private subnet depends on the one zone of `[{index}]`",
                b.address
            ),
        );
        f.address = Some(b.address.clone());
        f.key = "one-instance".into();
        f.related = routes
            .iter()
            .map(|r| Related {
                file: r.file,
                span: r.span.clone(),
                message: format!("uses `[{index}]` only"),
            })
            .collect();
        Some(f)
    }
}

/// Whether a `count` is 0 or 1 whichever way it goes (`var.enabled ? 1 : 0`).
fn at_most_one(module: &crate::model::Module<'_>, expr: &hcl_edit::expr::Expression) -> bool {
    use hcl_edit::expr::Expression;
    match expr {
        Expression::Parenthesis(inner) => at_most_one(module, inner.inner()),
        Expression::Conditional(c) => {
            at_most_one(module, &c.true_expr) && at_most_one(module, &c.false_expr)
        }
        other => crate::model::eval::count(module, other).is_some_and(|n| n <= 1),
    }
}

impl Rule for NatGatewayUnrouted {
    fn id(&self) -> &'static str {
        "nat-gateway-unrouted"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        // Modules whose every file parsed: a reference in a broken file is not indexed.
        for module in model.modules.iter().filter(|m| m.complete) {
            for b in module.blocks_of(BlockKind::Resource) {
                if b.label(0) != "aws_nat_gateway" {
                    continue;
                }
                let target = Target::Resource {
                    ty: "aws_nat_gateway".into(),
                    name: b.label(1).to_string(),
                };
                // An output counts only in a child module, whose caller may route
                // through the gateway it returns.
                let uses: Vec<&crate::model::Reference> = module
                    .refs_to(&target)
                    .filter(|r| {
                        module.is_child
                            || module
                                .owner_block(r.from)
                                .is_none_or(|o| o.kind != BlockKind::Output)
                    })
                    .collect();
                if !uses.is_empty() {
                    if let Some(f) = self.one_instance_used(model, module, b, &uses) {
                        out.push(f);
                    }
                    continue;
                }
                let mut f = self.finding(
                    b.file,
                    b.header(),
                    format!("`{}` carries no traffic", b.address),
                    format!(
                        "no route, module call or local value of this module refers to `{}`: the gateway and its Elastic IP are billed while the private subnets have no way out",
                        b.address
                    ),
                );
                f.address = Some(b.address.clone());
                // The route tables where the missing route belongs: those with no route
                // of their own (no `route` block, no `aws_route` naming them).
                f.related = module
                    .blocks_of(BlockKind::Resource)
                    .filter(|t| t.label(0) == "aws_route_table")
                    .filter(|t| t.body().get_blocks("route").next().is_none())
                    .filter(|t| {
                        let table = Target::Resource {
                            ty: "aws_route_table".into(),
                            name: t.label(1).to_string(),
                        };
                        !module.refs.iter().any(|r| {
                            r.target == table
                                && module
                                    .owner_block(r.from)
                                    .is_some_and(|o| o.label(0) == "aws_route")
                        })
                    })
                    .map(|t| Related {
                        file: t.file,
                        span: t.header(),
                        message: "a route table with no route, where one to the gateway belongs"
                            .into(),
                    })
                    .collect();
                out.push(f);
            }
        }
    }
}
