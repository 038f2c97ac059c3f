//! # Internet-facing resource in a subnet without a route to the internet
//!
//! ## What it does
//! Reports what only works from a public subnet but is placed in subnets of the module
//! whose route tables have no route to an internet gateway:
//! - a public NAT gateway (`connectivity_type` left as `public`) whose `subnet_id` is
//!   such a subnet;
//! - an internet-facing load balancer (`internal` not `true`) whose subnets are all such
//!   subnets.
//!
//! A subnet is taken as private only when that is certain from the module: every route
//! table associated with it (through `aws_route_table_association`) is a table of the
//! module, and neither the table's `route` blocks nor any `aws_route` of the module give
//! it a route through an `aws_internet_gateway`. A subnet with no association uses its
//! VPC's main route table, which has only the local route when the VPC is created in the
//! module and the module does not change the main table. A route, association or table
//! given by a variable, a local or a module output makes the rule stay quiet; so does a
//! default route through anything but a NAT gateway (a firewall or load-balancer
//! endpoint, a transit gateway: inspection layouts), a subnet or VPC passed to a module
//! call (which may route it), and a module with a file that did not parse.
//!
//! ## Why is this bad?
//! A NAT gateway forwards the private subnets' traffic to the internet gateway of its
//! own subnet's route table; without one, every instance, Lambda function and node that
//! routes through it has no way out (package downloads, AWS APIs without endpoints,
//! image pulls all time out). An internet-facing load balancer gets public addresses in
//! its subnets, but with no route to an internet gateway no client reaches them; in a
//! VPC without an internet gateway AWS refuses to create it (`InvalidSubnet`).
//!
//! ## Example
//! ```hcl
//! resource "aws_nat_gateway" "main" {
//!   allocation_id = aws_eip.nat.id
//!   subnet_id     = aws_subnet.private.id
//! }
//! ```
//! Use instead the public subnet, whose route table sends `0.0.0.0/0` to the internet
//! gateway:
//! ```hcl
//! resource "aws_nat_gateway" "main" {
//!   allocation_id = aws_eip.nat.id
//!   subnet_id     = aws_subnet.public.id
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe, and only for a NAT gateway when the module has exactly one subnet resource
//! that routes to an internet gateway: the fix names that subnet instead, keeping the
//! index (`[count.index]`), which may not exist when the two subnets are counted
//! differently.
//!
//! ## Root cause
//! Public and private subnets were both written, and the reference picked the wrong one;
//! or the VPC was written without its internet gateway.
//!
//! ## Impact
//! The private subnets have no internet access, or the load balancer is unreachable or
//! not created.
//!
//! ## References
//! - https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-scenarios.html
//! - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-scheme

use std::collections::BTreeSet;

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Related, Severity};
use crate::model::expr::{RefCollector, Target, span_of};
use crate::model::{BlockInfo, Model, Module};

pub struct InternetRouteMissing;

/// The resource addresses an expression names of one of `types`.
fn named(expr: &hcl_edit::expr::Expression, types: &[&str]) -> Vec<String> {
    let mut refs = RefCollector::default();
    refs.expr(expr);
    refs.refs
        .into_iter()
        .filter(
            |r| matches!(&r.target, Target::Resource { ty, .. } if types.contains(&ty.as_str())),
        )
        .map(|r| r.target.address())
        .collect()
}

/// Whether an expression is a reference to the module's internet gateway; `None` when
/// it cannot be known (a variable, a local).
fn is_igw(expr: &hcl_edit::expr::Expression) -> Option<bool> {
    let mut refs = RefCollector::default();
    refs.expr(expr);
    if refs.refs.is_empty() {
        // A written-out id (`igw-…`), or a value this rule does not follow.
        return None;
    }
    if refs
        .refs
        .iter()
        .any(|r| matches!(&r.target, Target::Resource { ty, .. } if ty == "aws_internet_gateway"))
    {
        return Some(true);
    }
    refs.refs
        .iter()
        .all(|r| matches!(r.target, Target::Resource { .. }))
        .then_some(false)
}

/// Whether a route may lead to the internet: through an internet gateway (or a gateway
/// that cannot be told), or through a firewall or load-balancer endpoint, a network
/// interface, a transit gateway or a peering connection, which may pass it on to one
/// (inspection layouts route the NAT gateway's subnet through a firewall endpoint).
/// Only routes through NAT gateways, egress-only gateways and virtual private gateways
/// are certainly not to the internet from this subnet.
fn through_other<'e>(get: impl Fn(&str) -> Option<&'e hcl_edit::expr::Expression>) -> bool {
    if let Some(gw) = get("gateway_id")
        && is_igw(gw) != Some(false)
    {
        return true;
    }
    [
        "vpc_endpoint_id",
        "network_interface_id",
        "transit_gateway_id",
        "vpc_peering_connection_id",
        "local_gateway_id",
        "core_network_arn",
        "carrier_gateway_id",
    ]
    .iter()
    .any(|k| get(k).is_some())
}

/// What the module says about its subnets' routes to the internet.
struct Routes {
    /// Route tables with a route through an internet gateway, and those this cannot be
    /// known of.
    public_tables: BTreeSet<String>,
    /// Subnet address → the route tables associated with it.
    tables_of: std::collections::HashMap<String, Vec<String>>,
    /// Some route or association could not be followed: nothing is known.
    unknown: bool,
    /// The module changes its VPCs' main route tables.
    main_changed: bool,
}

impl Routes {
    fn of(module: &Module<'_>) -> Routes {
        let mut r = Routes {
            public_tables: BTreeSet::new(),
            tables_of: std::collections::HashMap::new(),
            unknown: false,
            main_changed: !module
                .resource_indexes(&[
                    "aws_main_route_table_association",
                    "aws_default_route_table",
                ])
                .is_empty(),
        };
        const TABLES: &[&str] = &["aws_route_table"];
        for table in module.resources("aws_route_table") {
            if table.body().blocks().any(|b| b.ident.as_str() == "dynamic") {
                r.public_tables.insert(table.address.clone());
                continue;
            }
            // `route = [ … ]` written as an attribute: not read here.
            if table.attr("route").is_some() {
                r.public_tables.insert(table.address.clone());
            }
            for route in table.body().get_blocks("route") {
                if through_other(|k| route.body.get_attribute(k).map(|a| &a.value)) {
                    r.public_tables.insert(table.address.clone());
                }
            }
        }
        for route in module.resources("aws_route") {
            let tables = route
                .attr("route_table_id")
                .map(|a| named(&a.value, TABLES))
                .unwrap_or_default();
            if !through_other(|k| route.attr(k).map(|a| &a.value)) {
                continue;
            }
            if tables.is_empty() {
                r.unknown = true;
            } else {
                r.public_tables.extend(tables);
            }
        }
        for assoc in module.resources("aws_route_table_association") {
            // An association of a gateway (`gateway_id`) routes no subnet.
            let Some(subnet) = assoc.attr("subnet_id") else {
                continue;
            };
            let subnets = named(&subnet.value, &["aws_subnet"]);
            let tables = assoc
                .attr("route_table_id")
                .map(|a| named(&a.value, TABLES))
                .unwrap_or_default();
            if subnets.is_empty() || tables.is_empty() {
                r.unknown = true;
                continue;
            }
            for s in subnets {
                r.tables_of.entry(s).or_default().extend(tables.clone());
            }
        }
        r
    }

    /// Whether the subnet certainly has no route to an internet gateway; with the route
    /// tables that show it.
    fn private(&self, module: &Module<'_>, subnet: &BlockInfo<'_>) -> Option<Vec<String>> {
        if self.unknown {
            return None;
        }
        match self.tables_of.get(&subnet.address) {
            Some(tables) => tables
                .iter()
                .all(|t| !self.public_tables.contains(t))
                .then(|| tables.clone()),
            None => {
                // The main route table: only the local route when the VPC is the
                // module's own and its main table is left alone.
                let own_vpc = subnet
                    .attr("vpc_id")
                    .is_some_and(|v| !named(&v.value, &["aws_vpc"]).is_empty());
                (own_vpc && !self.main_changed && module.block(&subnet.address).is_some())
                    .then(Vec::new)
            }
        }
    }
}

impl Rule for InternetRouteMissing {
    fn id(&self) -> &'static str {
        "internet-route-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        // The NAT gateway and the load balancer are created (unless the VPC has no
        // internet gateway at all); what fails is the traffic.
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        // A route or association in a file that did not parse may be missing.
        for module in model.modules.iter().filter(|m| m.terraform_parsed()) {
            let nats: Vec<&BlockInfo<'_>> = module.resources("aws_nat_gateway").collect();
            let lbs: Vec<&BlockInfo<'_>> = module
                .resources("aws_lb")
                .chain(module.resources("aws_alb"))
                .collect();
            if nats.is_empty() && lbs.is_empty() {
                continue;
            }
            let routes = Routes::of(module);
            if routes.unknown {
                continue;
            }
            // What a module call receives (a subnet, its VPC, a route table), it may route.
            let passed: std::collections::BTreeSet<String> = module
                .blocks_of(crate::model::BlockKind::Module)
                .filter_map(|m| module.index_of(&m.address))
                .flat_map(|i| module.refs_from_block(i).map(|r| r.target.address()))
                .collect();
            let private = |address: &str| {
                let subnet = module.block(address)?;
                let vpc = subnet
                    .attr("vpc_id")
                    .map(|v| named(&v.value, &["aws_vpc"]))
                    .unwrap_or_default();
                if passed.contains(address) || vpc.iter().any(|v| passed.contains(v)) {
                    return None;
                }
                routes.private(module, subnet).map(|t| (subnet, t))
            };
            let public_subnets: Vec<&BlockInfo<'_>> = module
                .resources("aws_subnet")
                .filter(|s| {
                    routes
                        .tables_of
                        .get(&s.address)
                        .is_some_and(|t| t.iter().any(|t| routes.public_tables.contains(t)))
                })
                .collect();
            for nat in nats {
                let private_type = nat
                    .attr("connectivity_type")
                    .and_then(|c| crate::model::expr::static_str(&c.value))
                    .is_some_and(|c| c == "private");
                let Some(attr) = nat.attr("subnet_id") else {
                    continue;
                };
                let subnets = named(&attr.value, &["aws_subnet"]);
                let [subnet] = subnets.as_slice() else {
                    continue;
                };
                if private_type {
                    continue;
                }
                let Some((block, tables)) = private(subnet) else {
                    continue;
                };
                let mut f = self.finding(
                    nat.file,
                    span_of(&attr.value),
                    format!("NAT gateway `{}` is in a subnet with no internet route", nat.label(1)),
                    format!(
                        "`{}` is placed in `{subnet}`, {}: the NAT gateway cannot reach the internet, and nothing that routes through it can",
                        nat.address,
                        without_route(&tables)
                    ),
                );
                f.address = Some(nat.address.clone());
                f.related = related(module, block, &tables);
                if let [public] = public_subnets.as_slice() {
                    let src = model.src(nat.file);
                    let span = span_of(&attr.value);
                    if let Some(text) = src.get(span.clone())
                        && text.contains(subnet.as_str())
                    {
                        f.fix = Some(Fix::new(
                            format!("Place the NAT gateway in `{}`", public.address),
                            Applicability::Unsafe,
                            vec![Edit::replace(
                                model.path(nat.file),
                                span,
                                text.replacen(subnet.as_str(), &public.address, 1),
                            )],
                        ));
                    }
                }
                out.push(f);
            }
            for lb in lbs {
                let internal = lb.attr("internal").map(|a| a.value.as_bool());
                // `internal = var.internal`: not known.
                if !matches!(internal, None | Some(Some(false))) {
                    continue;
                }
                let lb_type = lb
                    .attr("load_balancer_type")
                    .and_then(|t| crate::model::expr::static_str(&t.value))
                    .unwrap_or_else(|| "application".into());
                if lb_type == "gateway" {
                    continue;
                }
                let (span, subnets) = match lb.attr("subnets") {
                    Some(a) => (span_of(&a.value), named(&a.value, &["aws_subnet"])),
                    None => {
                        let mut all = Vec::new();
                        let mut first = None;
                        let mut other = false;
                        for m in lb.body().get_blocks("subnet_mapping") {
                            if let Some(s) = m.body.get_attribute("subnet_id") {
                                first.get_or_insert_with(|| span_of(&s.value));
                                let found = named(&s.value, &["aws_subnet"]);
                                other |= found.is_empty();
                                all.extend(found);
                            }
                        }
                        if other {
                            continue;
                        }
                        match first {
                            Some(span) => (span, all),
                            None => continue,
                        }
                    }
                };
                // Every subnet named, and every one private; a list with anything else
                // (a variable, a module output) may hold a public one.
                let mut refs = RefCollector::default();
                if let Some(a) = lb.attr("subnets") {
                    refs.expr(&a.value);
                    if refs.refs.iter().any(
                        |r| !matches!(&r.target, Target::Resource { ty, .. } if ty == "aws_subnet"),
                    ) {
                        continue;
                    }
                }
                let mut unique = subnets.clone();
                unique.sort();
                unique.dedup();
                let found: Vec<_> = unique.iter().map(|s| private(s)).collect();
                if unique.is_empty() || found.iter().any(Option::is_none) {
                    continue;
                }
                let mut f = self.finding(
                    lb.file,
                    span,
                    format!("Internet-facing load balancer `{}` is in private subnets", lb.label(1)),
                    format!(
                        "`{}` is internet-facing (`internal` is not `true`), but {} no route to an internet gateway: no client can reach it, and in a VPC without an internet gateway AWS refuses to create it",
                        lb.address,
                        if unique.len() == 1 {
                            format!("its subnet `{}` has", unique[0])
                        } else {
                            format!("none of its subnets ({}) has", unique.join(", "))
                        }
                    ),
                );
                f.address = Some(lb.address.clone());
                for (block, tables) in found.into_iter().flatten() {
                    f.related.extend(related(module, block, &tables));
                }
                out.push(f);
            }
        }
    }
}

fn without_route(tables: &[String]) -> String {
    match tables {
        [] => "which uses its VPC's main route table (only the local route)".into(),
        [one] => format!("whose route table `{one}` has no route to an internet gateway"),
        many => format!(
            "whose route tables ({}) have no route to an internet gateway",
            many.join(", ")
        ),
    }
}

fn related(module: &Module<'_>, subnet: &BlockInfo<'_>, tables: &[String]) -> Vec<Related> {
    let mut out = vec![Related {
        file: subnet.file,
        span: subnet.header(),
        message: "the subnet".into(),
    }];
    let mut seen = BTreeSet::new();
    for t in tables {
        if !seen.insert(t) {
            continue;
        }
        if let Some(b) = module.block(t) {
            out.push(Related {
                file: b.file,
                span: b.header(),
                message: "its route table: no route to an internet gateway".into(),
            });
        }
    }
    out
}
