//! # Security group rule written twice, or inline and separate rules mixed
//!
//! ## What it does
//! For each `aws_security_group` of the module, gathers its rules: inline `ingress` and
//! `egress` blocks, `aws_security_group_rule` resources and
//! `aws_vpc_security_group_ingress_rule` / `…_egress_rule` resources that name it in
//! `security_group_id`. It reports:
//! - (high) a separate rule resource that repeats an earlier rule of the group: the same
//!   direction, protocol and ports, and a source or destination in common (a CIDR, a
//!   referenced security group, a prefix list, `self`);
//! - (medium) a separate rule resource of a direction for which the group also has
//!   inline blocks.
//!
//! ## Why is this bad?
//! AWS keeps one copy of each permission: authorising it again fails with
//! `InvalidPermission.Duplicate: the specified rule … already exists`. Inline blocks make
//! the `aws_security_group` own every rule of that direction: on each apply it removes
//! what the separate resources added, and they add it back — a permanent diff, and
//! moments without the rule.
//!
//! ## Example
//! ```hcl
//! resource "aws_vpc_security_group_egress_rule" "https" {
//!   security_group_id = aws_security_group.app.id
//!   cidr_ipv4         = "0.0.0.0/0"
//!   from_port         = 443
//!   to_port           = 443
//!   ip_protocol       = "tcp"
//! }
//!
//! resource "aws_vpc_security_group_egress_rule" "s3" {
//!   security_group_id = aws_security_group.app.id
//!   cidr_ipv4         = "0.0.0.0/0"
//!   from_port         = 443
//!   to_port           = 443
//!   ip_protocol       = "tcp"
//! }
//! ```
//! Use instead one rule (the second adds nothing), and either inline blocks or separate
//! rules for a group, never both.
//!
//! ## Fix safety
//! Safe for an exact repeat: the fix removes the second rule resource, which grants
//! nothing the first does not. No fix for inline and separate rules mixed.
//!
//! ## Root cause
//! A rule added for a second purpose (S3 access over HTTPS) that the first already
//! covered; or rules added beside a group written with inline blocks.
//!
//! ## Impact
//! Deployment blocker (the duplicate); rules removed and re-added on every apply (the
//! mix).
//!
//! ## References
//! - https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html (InvalidPermission.Duplicate)
//! - https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group

use std::collections::HashMap;

use hcl_edit::structure::Body;

use super::{Class, Rule};
use crate::finding::{Applicability, Finding, Fix, Related, Severity};
use crate::model::eval::known;
use crate::model::expr::{RefCollector, Target, span_of};
use crate::model::{BlockInfo, BlockKind, Model, Module};

pub struct SecurityGroupRuleDuplicated;

/// One rule of a group, normalised.
struct GroupRule<'b> {
    /// The rule resource, or `None` for an inline block of the group.
    resource: Option<&'b BlockInfo<'b>>,
    span: std::ops::Range<usize>,
    file: usize,
    direction: String,
    protocol: String,
    from: Option<String>,
    to: Option<String>,
    /// CIDRs, referenced groups, prefix lists, `self`: as written out.
    peers: Vec<String>,
}

impl GroupRule<'_> {
    fn same_permission(&self, other: &GroupRule<'_>) -> bool {
        self.direction == other.direction
            && self.protocol == other.protocol
            && self.from.is_some()
            && self.from == other.from
            && self.to == other.to
            && self.peers.iter().any(|p| other.peers.contains(p))
    }
}

impl Rule for SecurityGroupRuleDuplicated {
    fn id(&self) -> &'static str {
        "security-group-rule-duplicated"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            // The separate rules, by the address of the group they name: once per module.
            let mut separate: HashMap<&str, Vec<(&BlockInfo<'_>, String)>> = HashMap::new();
            for b in module.blocks_of(BlockKind::Resource) {
                let direction = match b.label(0) {
                    "aws_security_group_rule" => b
                        .attr("type")
                        .map(|t| known(module, &t.value).text)
                        .unwrap_or_default(),
                    "aws_vpc_security_group_ingress_rule" => "ingress".to_string(),
                    "aws_vpc_security_group_egress_rule" => "egress".to_string(),
                    _ => continue,
                };
                if b.attr("count").is_some() || b.attr("for_each").is_some() {
                    continue;
                }
                if let Some(g) = b
                    .attr("security_group_id")
                    .and_then(|a| module.referenced(&a.value, &["aws_security_group"]))
                {
                    separate
                        .entry(g.address.as_str())
                        .or_default()
                        .push((b, direction));
                }
            }
            for group in module.blocks_of(BlockKind::Resource) {
                // A group per `count`/`for_each` item: its rules cannot be told apart by
                // address.
                if !group.is_resource("aws_security_group")
                    || group.attr("count").is_some()
                    || group.attr("for_each").is_some()
                {
                    continue;
                }
                let mut rules: Vec<GroupRule<'_>> = Vec::new();
                for direction in ["ingress", "egress"] {
                    for block in group.body().get_blocks(direction) {
                        let header =
                            crate::model::expr::block_header(model.src(group.file), span_of(block));
                        rules.extend(normalise(
                            module,
                            &block.body,
                            direction,
                            None,
                            (group.file, header),
                        ));
                    }
                }
                for (b, direction) in separate.get(group.address.as_str()).into_iter().flatten() {
                    rules.extend(normalise(
                        module,
                        b.body(),
                        direction,
                        Some(b),
                        (b.file, b.header()),
                    ));
                }
                self.report(model, group, &rules, out);
            }
        }
    }
}

impl SecurityGroupRuleDuplicated {
    fn report(
        &self,
        model: &Model<'_>,
        group: &BlockInfo<'_>,
        rules: &[GroupRule<'_>],
        out: &mut Vec<Finding>,
    ) {
        for (i, rule) in rules.iter().enumerate() {
            let Some(resource) = rule.resource else {
                continue;
            };
            if let Some(first) = rules[..i].iter().find(|r| r.same_permission(rule)) {
                let first_name = first.resource.map_or_else(
                    || {
                        format!(
                            "an inline `{}` block of `{}`",
                            first.direction, group.address
                        )
                    },
                    |r| format!("`{}`", r.address),
                );
                let mut f = self.finding(
                    rule.file,
                    rule.span.clone(),
                    format!("`{}` repeats a rule of `{}`", resource.address, group.address),
                    format!(
                        "`{}` allows {} {} that {first_name} already allows to the same peer: AWS refuses it (\"InvalidPermission.Duplicate\")",
                        resource.address,
                        rule.direction,
                        describe(rule),
                    ),
                );
                f.address = Some(resource.address.clone());
                f.related.push(Related {
                    file: first.file,
                    span: first.span.clone(),
                    message: "the same rule, first".into(),
                });
                if first.resource.is_some() && first.peers == rule.peers {
                    f.fix = Some(Fix::new(
                        format!("Remove `{}`, which adds nothing", resource.address),
                        Applicability::Safe,
                        vec![crate::edits::remove_lines(
                            model.path(resource.file),
                            model.src(resource.file),
                            resource.span.clone(),
                        )],
                    ));
                }
                out.push(f);
                continue;
            }
            if let Some(inline) = rules
                .iter()
                .find(|r| r.resource.is_none() && r.direction == rule.direction)
            {
                let mut f = self.finding(
                    rule.file,
                    rule.span.clone(),
                    format!("`{}` beside inline {} rules", resource.address, rule.direction),
                    format!(
                        "`{}` adds an {} rule to `{}`, which also has inline `{}` blocks: the group then owns every {} rule, removes this one on each apply and it is added back",
                        resource.address, rule.direction, group.address, rule.direction, rule.direction
                    ),
                );
                f.severity = Severity::Medium;
                f.address = Some(resource.address.clone());
                f.related.push(Related {
                    file: inline.file,
                    span: inline.span.clone(),
                    message: "an inline rule of the group".into(),
                });
                out.push(f);
            }
        }
    }
}

/// "all traffic", "tcp port 443", "udp ports 1000-2000".
fn describe(rule: &GroupRule<'_>) -> String {
    match (
        rule.protocol.as_str(),
        rule.from.as_deref(),
        rule.to.as_deref(),
    ) {
        ("-1", ..) => "all traffic".to_string(),
        (p, Some(f), Some(t)) if f == t => format!("{p} port {f}"),
        (p, Some(f), Some(t)) => format!("{p} ports {f}-{t}"),
        (p, ..) => p.to_string(),
    }
}

/// A rule's direction, protocol, ports and peers, as far as they are known.
fn normalise<'b>(
    module: &Module<'_>,
    body: &Body,
    direction: &str,
    resource: Option<&'b BlockInfo<'b>>,
    (file, span): (usize, std::ops::Range<usize>),
) -> Option<GroupRule<'b>> {
    let text = |key: &str| {
        body.get_attribute(key).and_then(|a| {
            let k = known(module, &a.value);
            k.complete.then_some(k.text)
        })
    };
    let mut protocol = text("protocol")
        .or_else(|| text("ip_protocol"))?
        .to_ascii_lowercase();
    protocol = match protocol.as_str() {
        "all" | "-1" => "-1".to_string(),
        "6" => "tcp".to_string(),
        "17" => "udp".to_string(),
        _ => protocol,
    };
    let (from, to) = if protocol == "-1" {
        (Some("all".to_string()), Some("all".to_string()))
    } else {
        (text("from_port"), text("to_port"))
    };
    let mut peers = Vec::new();
    for key in [
        "cidr_blocks",
        "ipv6_cidr_blocks",
        "prefix_list_ids",
        "security_groups",
    ] {
        if let Some(a) = body.get_attribute(key) {
            match &a.value {
                hcl_edit::expr::Expression::Array(items) => {
                    for item in items.iter() {
                        let k = known(module, item);
                        if k.complete {
                            peers.push(k.text);
                        } else if let Some(r) = reference(item) {
                            peers.push(r);
                        }
                    }
                }
                _ => return None,
            }
        }
    }
    for key in [
        "cidr_ipv4",
        "cidr_ipv6",
        "prefix_list_id",
        "referenced_security_group_id",
        "source_security_group_id",
    ] {
        if let Some(a) = body.get_attribute(key) {
            let k = known(module, &a.value);
            if k.complete {
                peers.push(k.text);
            } else {
                peers.push(reference(&a.value)?);
            }
        }
    }
    if body
        .get_attribute("self")
        .is_some_and(|a| a.value.as_bool() == Some(true))
    {
        peers.push("self".into());
    }
    Some(GroupRule {
        resource,
        span,
        file,
        direction: direction.to_string(),
        protocol,
        from,
        to,
        peers,
    })
}

/// A peer given by reference (`aws_security_group.alb.id`): the referenced address.
fn reference(expr: &hcl_edit::expr::Expression) -> Option<String> {
    let mut refs = RefCollector::default();
    refs.expr(expr);
    match refs.refs.as_slice() {
        [r] if matches!(r.target, Target::Resource { .. } | Target::Data { .. }) => {
            Some(r.target.address())
        }
        _ => None,
    }
}
