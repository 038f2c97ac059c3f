//! # Resource that acts only through what uses it, and nothing does
//!
//! ## What it does
//! Reports a resource that does nothing on its own when nothing in its module uses it:
//! - an `aws_iam_policy` that no attachment, role, user or group names: its
//!   permissions reach no one;
//! - an `aws_launch_template` that no instance, Auto Scaling group, node group or fleet
//!   launches from;
//! - an `aws_iam_instance_profile` that no instance or launch template uses: its role
//!   reaches no instance;
//! - a WAF web ACL (`aws_wafv2_web_acl`, `aws_waf_web_acl`, `aws_wafregional_web_acl`)
//!   that no association or distribution names: it protects nothing;
//! - an `aws_lb_target_group` that no listener or listener rule forwards to, or that
//!   nothing registers targets in (no attachment, Auto Scaling group or ECS service):
//!   it never receives traffic, or answers every request with 503.
//!
//! Another resource of the same type that the module does use is named as the related
//! place: often the second version that superseded the unused one.
//!
//! An output counts as a use in a module that may be called (one that configures no
//! provider or backend), where the caller can take it further. The rule stays quiet when
//! a piece of the module did not parse and holds the resource's address, and when the
//! resource is passed to a module call.
//!
//! ## Why is this bad?
//! In generated code an unused resource is rarely dead code: it is what was meant to be
//! wired in and was not. The policy that should grant the Lambda function its access, the
//! launch template with the hardened settings, the WAF that should protect the load
//! balancer — each is created, shows up in the plan, and changes nothing.
//!
//! ## Example
//! ```hcl
//! resource "aws_iam_policy" "app" {
//!   name   = "app-access"
//!   policy = data.aws_iam_policy_document.app.json
//! }
//! ```
//! with no `aws_iam_role_policy_attachment` for it. Use instead: attach it to the role
//! that needs it, or remove it.
//!
//! ## Fix safety
//! No fix: which role, balancer or group should use the resource is a design decision.
//!
//! ## Root cause
//! The resource was written to satisfy a requirement, and the line that connects it to
//! the rest of the configuration was forgotten, or the resource was superseded by a
//! second version that the rest now uses.
//!
//! ## Impact
//! A requirement that silently is not met: permissions not granted, settings not
//! applied, traffic not protected or not served.
//!
//! ## References
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
//! - https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html
//! - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-register-targets.html

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::expr::Target;
use crate::model::{BlockKind, Model, Module, Owner};

pub struct ResourceUnattached;

/// A resource type that acts only through its users, and what not being used means.
const INERT: &[(&str, &str, &str)] = &[
    (
        "aws_iam_policy",
        "is attached to nothing",
        "no attachment, role, user or group names it, so its permissions reach no one",
    ),
    (
        "aws_launch_template",
        "launches nothing",
        "no instance, Auto Scaling group, node group or fleet launches from it, so its settings apply to no instance",
    ),
    (
        "aws_iam_instance_profile",
        "is used by no instance",
        "no instance or launch template names it, so its role reaches no instance",
    ),
    (
        "aws_wafv2_web_acl",
        "protects nothing",
        "no web ACL association or distribution names it, so no request passes through its rules",
    ),
    (
        "aws_waf_web_acl",
        "protects nothing",
        "no distribution names it, so no request passes through its rules",
    ),
    (
        "aws_wafregional_web_acl",
        "protects nothing",
        "no web ACL association names it, so no request passes through its rules",
    ),
    (
        "aws_lb_target_group",
        "receives no traffic",
        "no listener or listener rule forwards to it",
    ),
    (
        "aws_alb_target_group",
        "receives no traffic",
        "no listener or listener rule forwards to it",
    ),
];

/// Blocks that send traffic to a target group without registering targets in it.
const FORWARDERS: &[&str] = &[
    "aws_lb_listener",
    "aws_lb_listener_rule",
    "aws_alb_listener",
    "aws_alb_listener_rule",
];

/// Blocks that name a target group without sending to it or registering in it.
const WATCHERS: &[&str] = &["aws_cloudwatch_metric_alarm", "aws_route53_health_check"];

impl Rule for ResourceUnattached {
    fn id(&self) -> &'static str {
        "resource-unattached"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in model.modules.iter().filter(|m| m.declarations_known()) {
            let outputs_count = module.may_be_called();
            for (ty, what, why) in INERT {
                for b in module.resources(ty) {
                    let target = Target::Resource {
                        ty: ty.to_string(),
                        name: b.label(1).to_string(),
                    };
                    if in_gap(model, module, &b.address) {
                        continue;
                    }
                    let users: Vec<&crate::model::BlockInfo<'_>> = module
                        .refs_to(&target)
                        .filter_map(|r| match r.from {
                            Owner::Block(i) => module.blocks.get(i),
                            // A local may hand it to anything: count it as a use.
                            Owner::Local(_) => None,
                        })
                        .filter(|u| u.address != b.address)
                        .collect();
                    let by_local = module
                        .refs_to(&target)
                        .any(|r| matches!(r.from, Owner::Local(_)));
                    let used = by_local
                        || users.iter().any(|u| match u.kind {
                            BlockKind::Output => outputs_count,
                            BlockKind::Resource | BlockKind::Data | BlockKind::Module => true,
                            _ => false,
                        });
                    let target_group = ty.ends_with("_target_group");
                    if !used {
                        if named_in_strings(model, module, b) {
                            continue;
                        }
                        let mut f = self.finding(
                            b.file,
                            b.header(),
                            format!("`{}` {what}", b.address),
                            format!(
                                "Nothing in this module uses `{}`: {why}. It is created and changes nothing; wire it in where it was meant to apply, or remove it",
                                b.address
                            ),
                        );
                        f.address = Some(b.address.clone());
                        f.key = "unused".into();
                        if *ty == "aws_iam_instance_profile" {
                            f.severity = Severity::Low;
                        }
                        // A second version of it that the rest uses: what superseded it.
                        for other in module
                            .resources(ty)
                            .filter(|o| {
                                o.address != b.address
                                    && module.used_by(o, &[BlockKind::Resource, BlockKind::Module])
                            })
                            .take(2)
                        {
                            f.related.push(Related {
                                file: other.file,
                                span: other.header(),
                                message: "used instead".into(),
                            });
                        }
                        out.push(f);
                        continue;
                    }
                    if !target_group || by_local {
                        continue;
                    }
                    // Used, but only by listeners (and alarms): nothing registers targets.
                    let forwarders: Vec<_> = users
                        .iter()
                        .filter(|u| FORWARDERS.iter().any(|t| u.is_resource(t)))
                        .collect();
                    let registers = users.iter().any(|u| {
                        !FORWARDERS.iter().any(|t| u.is_resource(t))
                            && !WATCHERS.iter().any(|t| u.is_resource(t))
                            && (u.kind != BlockKind::Output || outputs_count)
                    });
                    if registers || forwarders.is_empty() {
                        continue;
                    }
                    let mut f = self.finding(
                        b.file,
                        b.header(),
                        format!("`{}` has no targets", b.address),
                        format!(
                            "`{}` receives the traffic of `{}`, but nothing registers targets in it (no `aws_lb_target_group_attachment`, Auto Scaling group `target_group_arns` or ECS service `load_balancer`): every request it is sent is answered with 503",
                            b.address, forwarders[0].address
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = "no-targets".into();
                    for u in forwarders.iter().take(3) {
                        f.related.push(Related {
                            file: u.file,
                            span: u.header(),
                            message: "forwards to it".into(),
                        });
                    }
                    out.push(f);
                }
            }
        }
    }
}

/// Whether a piece of a broken file of the module holds `address`, where a use may hide.
fn in_gap(model: &Model<'_>, module: &Module<'_>, address: &str) -> bool {
    module.gaps.iter().any(|(file, range)| {
        model
            .src(*file)
            .get(range.clone())
            .is_some_and(|text| text.contains(address))
    })
}

/// Whether the resource's literal name is written outside its block in the module: as a
/// string (`iam_instance_profile = "app-profile"`) or at the end of an ARN built by hand
/// (`…:policy/app-access`, `…:targetgroup/web/…`).
fn named_in_strings(
    model: &Model<'_>,
    module: &Module<'_>,
    b: &crate::model::BlockInfo<'_>,
) -> bool {
    let Some(name) = b
        .attr("name")
        .and_then(|a| crate::model::expr::static_str(&a.value))
    else {
        return false;
    };
    if name.is_empty() {
        return false;
    }
    let forms = [
        format!("\"{name}\""),
        format!("/{name}\""),
        format!("/{name}/"),
    ];
    module.files.iter().any(|&f| {
        let src = model.src(f);
        forms.iter().any(|form| {
            src.match_indices(form.as_str())
                .any(|(at, _)| f != b.file || !b.span.contains(&at))
        })
    })
}
