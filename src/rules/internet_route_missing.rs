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
//! module and the module does not change the main table. A load balancer's subnets are
//! followed into the module that declares them: through locals, a module's variable to
//! what its callers pass, and a module call's output to its value (a VPC module's
//! `private_subnet_ids` passed to a service module); a module whose caller routes its
//! subnets from its outputs (a gateway, route, association or endpoint built from
//! `module.vpc.…`, or those outputs passed to a module that routes) is not known. A
//! route, association or table
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

use std::collections::{BTreeSet, HashMap};

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Related, Severity};
use crate::model::expr::span_of;
use crate::model::follow::{self, Found};
use crate::model::routes::{Network, named};
use crate::model::{BlockInfo, Model, Module};

pub struct InternetRouteMissing;

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
        // The modules whose subnets' routes are all known (a route or association in a
        // file that did not parse may be missing).
        let networks: HashMap<&str, Network> = model
            .modules
            .iter()
            .filter(|m| m.terraform_parsed())
            .filter_map(|m| Some((m.dir.as_str(), Network::of(model, m)?)))
            .collect();
        // A subnet that is certainly private, with the route tables that show it.
        let private = |module: &Module<'_>, subnet: &BlockInfo<'_>| {
            let net = networks
                .get(module.dir.as_str())
                .filter(|n| n.known(subnet))?;
            net.routes.private(module, subnet)
        };
        for module in model.modules.iter().filter(|m| m.terraform_parsed()) {
            let nats: Vec<&BlockInfo<'_>> = module.resources("aws_nat_gateway").collect();
            let lbs: Vec<&BlockInfo<'_>> = module
                .resources("aws_lb")
                .chain(module.resources("aws_alb"))
                .collect();
            if nats.is_empty() && lbs.is_empty() {
                continue;
            }
            let own = networks.get(module.dir.as_str());
            let public_subnets: Vec<&BlockInfo<'_>> = own
                .map(|n| {
                    module
                        .resources("aws_subnet")
                        .filter(|s| {
                            n.routes.tables_of.get(&s.address).is_some_and(|t| {
                                t.iter().any(|t| n.routes.public_tables.contains(t))
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
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
                let Some((block, tables)) = module
                    .block(subnet)
                    .and_then(|b| Some((b, private(module, b)?)))
                else {
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
                // Every subnet, in whichever module declares it (followed through locals,
                // module variables and outputs), and every one private.
                let (span, subnets): (_, Vec<Found<'_, '_>>) = match lb.attr("subnets") {
                    Some(a) => {
                        match follow::resources(model, module, lb.file, &a.value, &["aws_subnet"]) {
                            Some(found) => (span_of(&a.value), found),
                            None => continue,
                        }
                    }
                    None => {
                        let mut all = Vec::new();
                        let mut first = None;
                        for m in lb.body().get_blocks("subnet_mapping") {
                            if let Some(s) = m.body.get_attribute("subnet_id") {
                                first.get_or_insert_with(|| span_of(&s.value));
                                match follow::resources(
                                    model,
                                    module,
                                    lb.file,
                                    &s.value,
                                    &["aws_subnet"],
                                ) {
                                    Some(found) => all.extend(found),
                                    None => {
                                        first = None;
                                        break;
                                    }
                                }
                            }
                        }
                        match first {
                            Some(span) => (span, all),
                            None => continue,
                        }
                    }
                };
                let found: Vec<_> = subnets
                    .iter()
                    .map(|(m, s)| Some((*m, *s, private(m, s)?)))
                    .collect();
                if found.is_empty() || found.iter().any(Option::is_none) {
                    continue;
                }
                // A subnet of another module is named with its folder.
                let mut unique: Vec<String> = subnets
                    .iter()
                    .map(|(m, s)| {
                        if m.dir == module.dir {
                            format!("`{}`", s.address)
                        } else {
                            format!("`{}` of `{}`", s.address, m.dir)
                        }
                    })
                    .collect();
                unique.sort();
                unique.dedup();
                let mut f = self.finding(
                    lb.file,
                    span,
                    format!("Internet-facing load balancer `{}` is in private subnets", lb.label(1)),
                    format!(
                        "`{}` is internet-facing (`internal` is not `true`), but {} no route to an internet gateway: no client can reach it, and in a VPC without an internet gateway AWS refuses to create it",
                        lb.address,
                        if unique.len() == 1 {
                            format!("its subnet {} has", unique[0])
                        } else {
                            format!("none of its subnets ({}) has", unique.join(", "))
                        }
                    ),
                );
                f.address = Some(lb.address.clone());
                for (m, block, tables) in found.into_iter().flatten() {
                    f.related.extend(related(m, block, &tables));
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
