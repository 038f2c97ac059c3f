//! # Compute placed in subnets it cannot reach the internet or AWS APIs from
//!
//! ## What it does
//! Reports compute that needs a way out of the VPC, placed in subnets of the module that
//! give it none, in a module with no VPC endpoint:
//! - a Lambda function whose `vpc_config` subnets all route to an internet gateway
//!   (public subnets): a function's network interfaces never get a public address, so
//!   a public subnet gives it no internet access;
//! - a Lambda function, an EKS node group, an ECS service (`awsvpc` tasks) or an
//!   instance or Auto Scaling group whose user data downloads something, in subnets
//!   that have no default route at all (no NAT gateway, no internet gateway);
//! - an ECS service whose tasks are in public subnets without `assign_public_ip = true`.
//!
//! ECS services are checked on Fargate only (on EC2 the instance's agent pulls the
//! image). User data counts as downloading when a line installs packages or fetches a
//! URL other than the instance metadata service; its text includes every value of a
//! variable or local it uses (a script kept in a variable's heredoc default, tfvars
//! values, what a module's callers pass).
//!
//! Subnets are followed as `internet-route-missing` follows them, into whichever module
//! declares them (through locals, a module's variable to what its callers pass, a module
//! call's output to its value): every route table of every subnet must be that module's
//! own and every route readable, or the rule stays quiet; so it does when a subnet or its
//! VPC is passed to a module call, when a caller of the subnets' module routes them from
//! its outputs (a route, association, gateway or endpoint built from `module.vpc.…`),
//! and when the module has a file that did not parse. A
//! subnet is public only when every route table it may be associated with (each branch
//! of a conditional) routes to an internet gateway. A module with any `aws_vpc_endpoint`
//! (the compute's or the subnets') is left alone: what the compute calls may be reached
//! through it.
//!
//! ## Why is this bad?
//! Nothing fails when the resources are created. The function's calls to AWS APIs and
//! the internet time out; node groups fail with `NodeCreationFailure: Instances failed to
//! join the kubernetes cluster`; ECS tasks stop with `CannotPullContainerError` or
//! `ResourceInitializationError: unable to pull secrets or registry auth`; user data's
//! package installs hang and the instance never becomes healthy.
//!
//! ## Example
//! ```hcl
//! resource "aws_lambda_function" "sync" {
//!   # …
//!   vpc_config {
//!     subnet_ids         = aws_subnet.public[*].id
//!     security_group_ids = [aws_security_group.lambda.id]
//!   }
//! }
//! ```
//! Use instead private subnets whose route table sends `0.0.0.0/0` to a NAT gateway (or
//! VPC endpoints for the services the function calls).
//!
//! ## Fix safety
//! No fix: a NAT gateway (with its cost), VPC endpoints, or a public address are design
//! choices.
//!
//! ## Root cause
//! The subnets were chosen by name ("public" must reach the internet, "private" is where
//! compute goes) without following their route tables; the NAT gateway was left out to
//! save cost or forgotten.
//!
//! ## Impact
//! Functions that time out, nodes that never join, tasks that never start, instances
//! that never finish booting.
//!
//! ## References
//! - https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html
//! - https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html
//! - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use std::collections::HashMap;

use crate::model::expr::{span_of, static_str};
use crate::model::follow::{self, Found};
use crate::model::routes::Network;
use crate::model::{BlockInfo, Model, Module};

pub struct SubnetEgressMissing;

/// Commands in user data that fetch from the internet.
const DOWNLOADS: &[&str] = &[
    "yum ",
    "dnf ",
    "apt-get ",
    "apt install",
    "amazon-linux-extras",
    "curl ",
    "wget ",
    "pip install",
    "pip3 install",
    "npm install",
    "docker pull",
    "aws s3 cp",
];

/// Where a compute resource is placed: the argument, and the subnets it names.
struct Placement<'m, 'a> {
    at: std::ops::Range<usize>,
    subnets: Vec<Found<'m, 'a>>,
}

impl Rule for SubnetEgressMissing {
    fn id(&self) -> &'static str {
        "subnet-egress-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        // The modules whose subnets' routes are all known, with what they pass on.
        let networks: HashMap<&str, Network> = model
            .modules
            .iter()
            .filter(|m| m.terraform_parsed() && m.resources("aws_vpc_endpoint").next().is_none())
            .filter_map(|m| Some((m.dir.as_str(), Network::of(model, m)?)))
            .collect();
        if networks.is_empty() {
            return;
        }
        let known = |(m, s): &Found<'_, '_>| networks.get(m.dir.as_str()).filter(|n| n.known(s));
        let isolated = |p: &Placement<'_, '_>| {
            !p.subnets.is_empty()
                && p.subnets
                    .iter()
                    .all(|f| known(f).is_some_and(|n| n.routes.isolated(f.0, f.1).is_some()))
        };
        let public = |p: &Placement<'_, '_>| {
            !p.subnets.is_empty()
                && p.subnets
                    .iter()
                    .all(|f| known(f).is_some_and(|n| n.routes.public(f.1)))
        };
        for module in model.modules.iter().filter(|m| m.terraform_parsed()) {
            if module.resources("aws_vpc_endpoint").next().is_some() {
                continue;
            }
            let placement = |b: &BlockInfo<'_>, attr| placement(model, module, b.file, attr);
            let mut report = |b: &BlockInfo<'_>,
                              p: &Placement<'_, '_>,
                              title: String,
                              why: String,
                              also: Vec<Related>| {
                let mut f = self.finding(b.file, p.at.clone(), title, why);
                f.address = Some(b.address.clone());
                f.key = "egress".into();
                let mut seen = std::collections::BTreeSet::new();
                for (m, s) in &p.subnets {
                    if seen.insert((&m.dir, &s.address)) && seen.len() <= 3 {
                        f.related.push(Related {
                            file: s.file,
                            span: s.header(),
                            message: "the subnet".into(),
                        });
                    }
                }
                f.related.extend(also);
                out.push(f);
            };
            for b in module.resources("aws_lambda_function") {
                let Some(cfg) = b.body().get_blocks("vpc_config").next() else {
                    continue;
                };
                let Some(p) = placement(b, cfg.body.get_attribute("subnet_ids")) else {
                    continue;
                };
                if public(&p) {
                    // Where it could go: the module's private subnets, and whether they
                    // have a way out.
                    let private: Vec<&BlockInfo<'_>> = p
                        .subnets
                        .first()
                        .and_then(|(m, _)| Some((*m, networks.get(m.dir.as_str())?)))
                        .map(|(m, net)| {
                            m.resources("aws_subnet")
                                .filter(|s| net.routes.isolated(m, s).is_some())
                                .take(2)
                                .collect()
                        })
                        .unwrap_or_default();
                    let hint = if private.is_empty() {
                        "private subnets whose route table sends `0.0.0.0/0` to a NAT gateway"
                    } else {
                        "private subnets behind a NAT gateway (the module's private subnets have no default route either)"
                    };
                    let also = private
                        .iter()
                        .map(|s| Related {
                            file: s.file,
                            span: s.header(),
                            message: "a private subnet of the module: no default route either"
                                .into(),
                        })
                        .collect();
                    report(
                        b,
                        &p,
                        format!(
                            "`{}` is in public subnets, where it has no internet access",
                            b.address
                        ),
                        format!(
                            "`{}` is attached to subnets that route to an internet gateway, but a Lambda function's network interfaces never get a public address: its calls to the internet and to AWS APIs time out. Use {hint}, or VPC endpoints",
                            b.address
                        ),
                        also,
                    );
                } else if isolated(&p) {
                    report(
                        b,
                        &p,
                        format!("`{}` is in subnets with no way out", b.address),
                        format!(
                            "`{}` is attached to subnets whose route tables have no default route (no NAT gateway, no internet gateway) in a module with no VPC endpoint: its calls to AWS APIs and the internet time out",
                            b.address
                        ),
                        Vec::new(),
                    );
                }
            }
            for b in module.resources("aws_eks_node_group") {
                let Some(p) = placement(b, b.attr("subnet_ids")) else {
                    continue;
                };
                if isolated(&p) {
                    report(
                        b,
                        &p,
                        format!("`{}` is in subnets with no way out", b.address),
                        format!(
                            "`{}` launches nodes in subnets whose route tables have no default route (no NAT gateway, no internet gateway) in a module with no VPC endpoint: the nodes cannot reach the cluster's API, ECR or STS, and the node group fails with \"NodeCreationFailure: Instances failed to join the kubernetes cluster\"",
                            b.address
                        ),
                        Vec::new(),
                    );
                }
            }
            for b in module.resources("aws_ecs_service").filter(|b| fargate(b)) {
                let Some(net) = b.body().get_blocks("network_configuration").next() else {
                    continue;
                };
                let Some(p) = placement(b, net.body.get_attribute("subnets")) else {
                    continue;
                };
                let public_ip = net
                    .body
                    .get_attribute("assign_public_ip")
                    .map(|a| a.value.as_bool());
                if isolated(&p) {
                    report(
                        b,
                        &p,
                        format!("`{}` is in subnets with no way out", b.address),
                        format!(
                            "`{}` runs its tasks in subnets whose route tables have no default route (no NAT gateway, no internet gateway) in a module with no VPC endpoint: tasks cannot pull their image or read their secrets, and stop with CannotPullContainerError",
                            b.address
                        ),
                        Vec::new(),
                    );
                } else if public(&p) && matches!(public_ip, None | Some(Some(false))) {
                    report(
                        b,
                        &p,
                        format!(
                            "`{}` is in public subnets without a public address",
                            b.address
                        ),
                        format!(
                            "`{}` runs its tasks in public subnets with `assign_public_ip` not `true`: without a public address a task in a public subnet has no way out, cannot pull its image and stops with CannotPullContainerError",
                            b.address
                        ),
                        Vec::new(),
                    );
                }
            }
            for b in module
                .resources("aws_instance")
                .chain(module.resources("aws_autoscaling_group"))
            {
                let placed = if b.is_resource("aws_instance") {
                    b.attr("subnet_id")
                } else {
                    b.attr("vpc_zone_identifier")
                };
                let Some(p) = placement(b, placed) else {
                    continue;
                };
                if !isolated(&p) || !downloads(model, module, b) {
                    continue;
                }
                report(
                    b,
                    &p,
                    format!(
                        "`{}` downloads at boot from subnets with no way out",
                        b.address
                    ),
                    format!(
                        "The user data of `{}` installs or downloads packages, but its subnets' route tables have no default route (no NAT gateway, no internet gateway) and the module has no VPC endpoint: the downloads hang and the instances never finish booting",
                        b.address
                    ),
                    Vec::new(),
                );
            }
        }
    }
}

/// Whether an ECS service runs on Fargate (`launch_type`, or a Fargate capacity
/// provider): there the task's own network interface pulls the image. On EC2 the
/// instance's agent does.
fn fargate(b: &BlockInfo<'_>) -> bool {
    let launch = b.attr("launch_type").and_then(|a| static_str(&a.value));
    let providers = b
        .body()
        .get_blocks("capacity_provider_strategy")
        .filter_map(|c| c.body.get_attribute("capacity_provider"))
        .filter_map(|a| static_str(&a.value))
        .collect::<Vec<_>>();
    launch.as_deref() == Some("FARGATE")
        || (!providers.is_empty() && providers.iter().all(|p| p.starts_with("FARGATE")))
}

/// The subnets an argument names, in whichever module declares them (followed through
/// locals, module variables and module outputs, [`follow::resources`]).
fn placement<'m, 'a>(
    model: &'m Model<'a>,
    module: &'m Module<'a>,
    file: crate::workspace::FileId,
    attr: Option<&hcl_edit::structure::Attribute>,
) -> Option<Placement<'m, 'a>> {
    let attr = attr?;
    Some(Placement {
        at: span_of(attr),
        subnets: follow::resources(model, module, file, &attr.value, &["aws_subnet"])?,
    })
}

/// Whether an instance's user data (or that of the launch template a group uses) fetches
/// something from the internet.
fn downloads(model: &Model<'_>, module: &Module<'_>, b: &BlockInfo<'_>) -> bool {
    let mut text = String::new();
    let mut seen = std::collections::HashSet::new();
    let mut text_of = |block: &BlockInfo<'_>| {
        if let Some(a) = block
            .attr("user_data")
            .or_else(|| block.attr("user_data_base64"))
        {
            written(model, module, block.file, &a.value, &mut seen, &mut text);
        }
    };
    text_of(b);
    if b.is_resource("aws_autoscaling_group") {
        for lt in b.body().get_blocks("launch_template") {
            if let Some(id) = lt
                .body
                .get_attribute("id")
                .or_else(|| lt.body.get_attribute("name"))
                && let Some(t) = module.referenced(&id.value, &["aws_launch_template"])
            {
                text_of(t);
            }
        }
    }
    // A line that fetches from outside the VPC: not the instance metadata service.
    text.lines()
        .any(|line| DOWNLOADS.iter().any(|d| line.contains(d)) && !line.contains("169.254.169.254"))
}

/// The text of an expression and, for each variable and local it uses, the text of every
/// value it can take (a local's value; a variable's tfvars values, what the module's
/// callers pass, and its default when some caller passes nothing), followed as far as
/// they lead, each variable or local once: a script kept in a variable's heredoc default
/// is still the user data.
fn written(
    model: &Model<'_>,
    module: &Module<'_>,
    file: crate::workspace::FileId,
    expr: &hcl_edit::expr::Expression,
    seen: &mut std::collections::HashSet<(String, String)>,
    out: &mut String,
) {
    out.push_str(model.src(file).get(span_of(expr)).unwrap_or(""));
    out.push('\n');
    let mut refs = crate::model::expr::RefCollector::default();
    refs.expr(expr);
    for r in refs.refs {
        let address = r.target.address();
        if !matches!(
            r.target,
            crate::model::expr::Target::Local(_) | crate::model::expr::Target::Var(_)
        ) || !seen.insert((module.dir.clone(), address))
        {
            continue;
        }
        match r.target {
            crate::model::expr::Target::Local(name) => {
                if let Some(l) = module.locals.iter().find(|l| l.name == name) {
                    written(model, module, l.file, &l.attr.value, seen, out);
                }
            }
            crate::model::expr::Target::Var(name) => {
                let (mut calls, mut passed) = (0, 0);
                for (caller, call) in model.callers_of(&module.dir) {
                    calls += 1;
                    if let Some(arg) = call.attr(&name) {
                        passed += 1;
                        written(model, caller, call.file, &arg.value, seen, out);
                    }
                }
                let mut set = false;
                if calls == 0 {
                    for v in module.tfvars.iter().filter(|v| v.name == name) {
                        set = true;
                        written(model, module, v.file, v.value, seen, out);
                    }
                }
                if ((calls == 0 && !set) || passed < calls)
                    && let Some(var) = module.block(&format!("var.{name}"))
                    && let Some(d) = var.attr("default")
                {
                    written(model, module, var.file, &d.value, seen, out);
                }
            }
            _ => {}
        }
    }
}
