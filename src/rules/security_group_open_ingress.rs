//! # Security group open to the internet
//!
//! ## What it does
//! Reports an ingress rule that admits `0.0.0.0/0` or `::/0` on a port other than 80
//! and 443: inline `ingress` blocks of `aws_security_group`, `aws_security_group_rule`
//! with `type = "ingress"`, and `aws_vpc_security_group_ingress_rule`. The range is
//! followed to where it is written — a variable's default (`default = ["0.0.0.0/0"]`), a
//! tfvars value, what a caller passes — and those places are related, as are the
//! resources of the module that join the group (the first ten) (where its `vpc_security_group_ids` names
//! it).
//!
//! A rule that opens 80 or 443 to everyone is left alone, unless a database, cache or
//! search domain is in the same group: that member is reported (medium) where it joins
//! the group, with the rule as a related place.
//!
//! ## Why is this bad?
//! SSH, RDP, database and "all traffic" ports open to the whole internet are scanned
//! within minutes. Public web ports (80, 443) are the expected exception.
//!
//! ## Example
//! ```hcl
//! ingress {
//!   from_port   = 22
//!   to_port     = 22
//!   protocol    = "tcp"
//!   cidr_blocks = ["0.0.0.0/0"]
//! }
//! ```
//! Use instead the administrators' range, or Systems Manager Session Manager and no SSH
//! at all.
//!
//! ## Fix safety
//! No fix: the right source range is not in the code.
//!
//! ## Root cause
//! The rule was opened to make a connection work during development.
//!
//! ## Impact
//! Security: the service is reachable by anyone.
//!
//! ## References
//! https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html

use hcl_edit::structure::Body;

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::eval::known;
use crate::model::expr::{block_header, span_of, static_str, string_list};
use crate::model::{Model, Module};

pub struct SecurityGroupOpenIngress;

impl Rule for SecurityGroupOpenIngress {
    fn id(&self) -> &'static str {
        "security-group-open-ingress"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Security
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in &module.blocks {
                let mut keys = super::OccurrenceKeys::default();
                // A data store once per block, however many web rules open its group.
                let mut reported = std::collections::HashSet::new();
                for open in open_rules(model, module, b, "ingress") {
                    // A web port open to everyone is what a load balancer needs; a
                    // database or cache in that group is exposed with it.
                    if let Ports::One(p @ (80 | 443)) = open.ports {
                        for m in members(module, b)
                            .into_iter()
                            .filter(|m| m.datastore && reported.insert(m.address.clone()))
                        {
                            let mut f = self.finding(
                                m.related.file,
                                m.related.span.clone(),
                                format!("`{}` shares a group open to `{}`", m.address, open.cidr),
                                format!(
                                    "`{}` is in `{}`, whose rule admits `{}` (the whole internet) on port {p}: the data store is reachable from wherever the group's traffic comes, not only from the application; give it a group of its own that admits the application's group",
                                    m.address, m.group, open.cidr
                                ),
                            );
                            f.severity = Severity::Medium;
                            f.address = Some(m.address.clone());
                            f.key = keys.key(format!("member:{}", m.group));
                            f.related.push(crate::finding::Related {
                                file: b.file,
                                span: open.header.clone(),
                                message: format!("the rule that admits `{}`", open.cidr),
                            });
                            out.push(f);
                        }
                        continue;
                    }
                    let ports = match open.ports {
                        Ports::All => "every port".to_string(),
                        Ports::One(p) => format!("port {p}"),
                        Ports::Range(f, t) => format!("ports {f}–{t}"),
                    };
                    let cidr = &open.cidr;
                    let mut f = self.finding(
                        b.file,
                        open.header.clone(),
                        format!("Ingress from `{cidr}` on {ports}"),
                        format!(
                            "`{}` admits `{cidr}` (the whole internet) on {ports}",
                            b.address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = keys.key(ports.clone());
                    f.related = open.related;
                    f.related
                        .extend(members(module, b).into_iter().map(|m| m.related).take(10));
                    out.push(f);
                }
            }
        }
    }
}

/// A resource in a security group.
struct Member {
    /// Where it joins the group.
    related: crate::finding::Related,
    address: String,
    group: String,
    /// A database, cache or search domain.
    datastore: bool,
}

/// What the open group protects: every resource of the module that puts itself in the
/// group (`vpc_security_group_ids`, `security_groups`, …), at the reference.
fn members(module: &Module<'_>, rule: &crate::model::BlockInfo<'_>) -> Vec<Member> {
    use crate::model::Owner;
    use crate::model::expr::Target;
    // The group: the block itself, or the one a separate rule names.
    let group = if rule.is_resource("aws_security_group") {
        Some(Target::Resource {
            ty: "aws_security_group".into(),
            name: rule.label(1).to_string(),
        })
    } else {
        rule.attr("security_group_id").and_then(|a| {
            let mut refs = crate::model::expr::RefCollector::default();
            refs.expr(&a.value);
            refs.refs
                .iter()
                .find(|r| {
                    matches!(&r.target, Target::Resource { ty, .. } if ty == "aws_security_group")
                })
                .map(|r| r.target.clone())
        })
    };
    let Some(group) = group else {
        return Vec::new();
    };
    module
        .refs_to(&group)
        .filter_map(|r| {
            let Owner::Block(i) = r.from else {
                return None;
            };
            let member = module.blocks.get(i)?;
            let ty = member.label(0);
            let joins = member.kind == crate::model::BlockKind::Resource
                && !ty.starts_with("aws_security_group")
                && !ty.starts_with("aws_vpc_security_group");
            // Only references in a list of groups, not `source_security_group_id`.
            if !(joins && in_group_list(&member.block.body, &r.span)) {
                return None;
            }
            let datastore = [
                "aws_db_instance",
                "aws_rds_cluster",
                "aws_elasticache_",
                "aws_docdb_",
                "aws_neptune_",
                "aws_redshift_cluster",
                "aws_opensearch_domain",
                "aws_elasticsearch_domain",
                "aws_memorydb_cluster",
                "aws_dax_cluster",
            ]
            .iter()
            .any(|p| ty.starts_with(p));
            Some(Member {
                related: crate::finding::Related {
                    file: r.file,
                    span: r.span.clone(),
                    message: format!("`{}` is in this group", member.address),
                },
                address: member.address.clone(),
                group: group.address(),
                datastore,
            })
        })
        .collect()
}

/// Whether `span` is inside a list of groups (`vpc_security_group_ids`,
/// `security_groups`, `security_group_ids`) of `body` or of its nested blocks
/// (`vpc_config`, `network_configuration`, …).
fn in_group_list(body: &Body, span: &std::ops::Range<usize>) -> bool {
    body.attributes().any(|a| {
        matches!(
            a.key.as_str(),
            "vpc_security_group_ids" | "security_groups" | "security_group_ids"
        ) && {
            let at = span_of(&a.value);
            at.start <= span.start && span.end <= at.end
        }
    }) || body.blocks().any(|b| in_group_list(&b.body, span))
}

/// The ports a rule opens.
pub(super) enum Ports {
    All,
    One(i64),
    Range(i64, i64),
}

/// A security group rule of a direction that opens a range to the whole internet.
pub(super) struct OpenRule {
    /// The rule's block header (`ingress {`, the `aws_security_group_rule` header).
    pub header: std::ops::Range<usize>,
    /// The argument that holds the range (`cidr_blocks = […]`), when written in the rule.
    pub range_attr: Option<std::ops::Range<usize>>,
    /// `0.0.0.0/0` or `::/0`.
    pub cidr: String,
    pub ports: Ports,
    /// Where the range is written when it comes from elsewhere (a variable's default, a
    /// tfvars value, a caller's argument).
    pub related: Vec<crate::finding::Related>,
}

const RANGE_KEYS: [&str; 4] = ["cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"];

/// The rules of `direction` (`ingress` or `egress`) of the block `b` that open a range
/// to the whole internet: inline blocks of `aws_security_group`,
/// `aws_security_group_rule` of that `type`, and `aws_vpc_security_group_{direction}_rule`.
/// The range is followed to where it is written.
pub(super) fn open_rules(
    model: &Model<'_>,
    module: &Module<'_>,
    b: &crate::model::BlockInfo<'_>,
    direction: &str,
) -> Vec<OpenRule> {
    let src = model.src(b.file);
    let mut rules: Vec<(&Body, std::ops::Range<usize>)> = Vec::new();
    if b.is_resource("aws_security_group") {
        for block in b.body().get_blocks(direction) {
            rules.push((&block.body, block_header(src, span_of(block))));
        }
    } else if b.is_resource("aws_security_group_rule") {
        if b.attr("type").and_then(|t| static_str(&t.value)).as_deref() == Some(direction) {
            rules.push((b.body(), b.header()));
        }
    } else if b.is_resource(&format!("aws_vpc_security_group_{direction}_rule")) {
        rules.push((b.body(), b.header()));
    }
    let mut out = Vec::new();
    for (body, header) in rules {
        let far: Vec<(crate::workspace::FileId, &hcl_edit::expr::Expression)> = RANGE_KEYS
            .iter()
            .filter_map(|k| body.get_attribute(k))
            .flat_map(|a| crate::model::eval::literal_sources(model, module, b.file, &a.value))
            .filter(|(f, e)| {
                let open = matches!(static_str(e).as_deref(), Some("0.0.0.0/0" | "::/0"));
                // Outside the block: inside it, the range is seen as is.
                open && (*f != b.file || !b.span.contains(&span_of(*e).start))
            })
            .collect();
        let mut cidrs: Vec<String> = RANGE_KEYS
            .iter()
            .filter_map(|k| body.get_attribute(k))
            .flat_map(|a| match &a.value {
                hcl_edit::expr::Expression::Array(items) => {
                    items.iter().map(|e| known(module, e).text).collect()
                }
                other => {
                    let k = known(module, other);
                    if k.complete {
                        vec![k.text]
                    } else {
                        string_list(src, other)
                    }
                }
            })
            .collect();
        cidrs.extend(far.iter().filter_map(|(_, e)| static_str(e)));
        let Some(cidr) = cidrs.into_iter().find(|c| c == "0.0.0.0/0" || c == "::/0") else {
            continue;
        };
        let from = port(module, body, "from_port");
        let to = port(module, body, "to_port");
        let protocol = body
            .get_attribute("protocol")
            .or_else(|| body.get_attribute("ip_protocol"))
            .map(|a| known(module, &a.value).text)
            .unwrap_or_default();
        let ports = match (from, to) {
            _ if protocol == "-1" || protocol == "all" => Ports::All,
            (Some(0), Some(65535)) => Ports::All,
            (Some(f), Some(t)) if f == t => Ports::One(f),
            (Some(f), Some(t)) => Ports::Range(f, t),
            _ => continue,
        };
        let range_attr = RANGE_KEYS
            .iter()
            .filter_map(|k| body.get_attribute(k))
            .map(span_of)
            .next();
        let related = far
            .iter()
            .map(|(file, e)| crate::finding::Related {
                file: *file,
                span: span_of(*e),
                message: format!("where `{}` is given", static_str(e).unwrap_or_default()),
            })
            .collect();
        out.push(OpenRule {
            header,
            range_attr,
            cidr,
            ports,
            related,
        });
    }
    out
}

fn port(module: &Module<'_>, body: &Body, key: &str) -> Option<i64> {
    let attr = body.get_attribute(key)?;
    let k = known(module, &attr.value);
    if k.complete {
        k.text.parse().ok()
    } else {
        None
    }
}
