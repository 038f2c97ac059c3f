//! # Service that must invoke a Lambda function without the permission to
//!
//! ## What it does
//! Reports a resource that hands a Lambda function of the module to a service which
//! checks, when the resource is created, that it may invoke the function — when no
//! `aws_lambda_permission` of the module lets that service's principal invoke it:
//! - `aws_secretsmanager_secret_rotation` (`rotation_lambda_arn`):
//!   `secretsmanager.amazonaws.com`;
//! - `aws_s3_bucket_notification` (`lambda_function` blocks): `s3.amazonaws.com`;
//! - `aws_cloudwatch_log_subscription_filter` (`destination_arn`): CloudWatch Logs
//!   (`logs.amazonaws.com` or `logs.<region>.amazonaws.com`);
//! - `aws_config_config_rule` with a `CUSTOM_LAMBDA` source: `config.amazonaws.com`;
//! - `aws_lb_target_group_attachment` registering a function:
//!   `elasticloadbalancing.amazonaws.com`.
//!
//! When the permission exists but an S3 notification neither references nor depends on
//! it, the notification may be sent first and is refused the same way; that is reported
//! at medium severity.
//!
//! A permission counts when its `function_name` names the function (its name, ARN, or
//! the literal name it is created with) and its `principal` is the service's (or cannot
//! be known). A permission whose function cannot be told (`for_each`, a variable), a
//! function given through a variable or alias, and a module with a file that did not
//! parse keep the rule quiet.
//!
//! ## Why is this bad?
//! These services test the invocation when the resource is configured, and refuse it
//! when the function's resource policy does not name them.
//!
//! ## Error
//! ```text
//! AccessDeniedException: Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.
//! InvalidArgument: Unable to validate the following destination configurations
//! InvalidParameterException: Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_secretsmanager_secret_rotation" "db" {
//!   secret_id           = aws_secretsmanager_secret.db.id
//!   rotation_lambda_arn = aws_lambda_function.rotate.arn
//!   rotation_rules {
//!     automatically_after_days = 30
//!   }
//! }
//! ```
//! with no permission for Secrets Manager. Use instead, beside it:
//! ```hcl
//! resource "aws_lambda_permission" "rotate" {
//!   statement_id  = "AllowSecretsManager"
//!   action        = "lambda:InvokeFunction"
//!   function_name = aws_lambda_function.rotate.function_name
//!   principal     = "secretsmanager.amazonaws.com"
//! }
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix adds the `aws_lambda_permission` (and for S3 a `depends_on` on it);
//! scoping it with `source_arn` or `source_account` is left to the reviewer. For the
//! S3 ordering case, safe: it adds the permission to the notification's `depends_on`.
//!
//! ## Root cause
//! The trigger was wired from the service's side, and the function's resource policy —
//! a separate resource in Terraform — was forgotten.
//!
//! ## Impact
//! Deployment blocker: the rotation, notification, subscription, rule or attachment is
//! not created.
//!
//! ## References
//! - https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html
//! - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample
//! - https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_permission

use hcl_edit::expr::Expression;

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Related, Severity};
use crate::model::expr::{RefCollector, Target, span_of, static_str};
use crate::model::{BlockInfo, Model, Module};

pub struct LambdaInvokePermissionMissing;

/// A service that invokes a function it is given, and how it is named.
struct Invoker {
    /// The service as the message names it.
    service: &'static str,
    /// The principal the permission must name (what the fix writes).
    principal: &'static str,
    /// Whether the service's regional principal (`logs.<region>.amazonaws.com`) counts
    /// too.
    regional: bool,
}

impl Invoker {
    /// Whether a written principal is this service's.
    fn accepts(&self, p: &str) -> bool {
        p == self.principal
            || (self.regional
                && self
                    .principal
                    .split_once('.')
                    .is_some_and(|(svc, _)| p.starts_with(&format!("{svc}.")))
                && p.ends_with(".amazonaws.com"))
    }
}

const fn invoker(service: &'static str, principal: &'static str) -> Invoker {
    Invoker {
        service,
        principal,
        regional: false,
    }
}

const SECRETS: Invoker = invoker("Secrets Manager", "secretsmanager.amazonaws.com");
const S3: Invoker = invoker("S3", "s3.amazonaws.com");
const LOGS: Invoker = Invoker {
    regional: true,
    ..invoker("CloudWatch Logs", "logs.amazonaws.com")
};
const CONFIG: Invoker = invoker("AWS Config", "config.amazonaws.com");
const ELB: Invoker = invoker(
    "Elastic Load Balancing",
    "elasticloadbalancing.amazonaws.com",
);

/// What the module's permissions allow: per function address, the principals (`None`
/// for one that cannot be known), with the permission blocks.
struct Permissions<'m> {
    by_function: std::collections::HashMap<String, Vec<(Option<String>, &'m BlockInfo<'m>)>>,
    /// A permission whose function cannot be told: any function may be its.
    unknown: bool,
}

impl<'m> Permissions<'m> {
    fn of(model: &Model<'_>, module: &'m Module<'_>) -> Permissions<'m> {
        let mut p = Permissions {
            by_function: std::collections::HashMap::new(),
            unknown: false,
        };
        // Functions by the literal name they are created with.
        let by_name: std::collections::HashMap<String, String> = module
            .resources("aws_lambda_function")
            .filter_map(|f| {
                let name = f.attr("function_name").and_then(|a| static_str(&a.value))?;
                Some((name, f.address.clone()))
            })
            .collect();
        for perm in module.resources("aws_lambda_permission") {
            let Some(function) = perm.attr("function_name") else {
                continue;
            };
            let address = match function_named(&function.value) {
                Some(a) => Some(a),
                None => static_str(&function.value).and_then(|n| {
                    // A name, or an ARN ending in it.
                    let name = n.rsplit(':').next().unwrap_or(&n).to_string();
                    by_name.get(&name).cloned()
                }),
            };
            let Some(address) = address else {
                p.unknown = true;
                continue;
            };
            let principal = perm.attr("principal").and_then(|a| {
                static_str(&a.value).or_else(|| {
                    // `"logs.${var.region}.amazonaws.com"`: the service is known. Anything
                    // else (`each.value`, a variable) is not.
                    if !matches!(a.value, Expression::StringTemplate(_)) {
                        return None;
                    }
                    let text = model
                        .src(perm.file)
                        .get(span_of(&a.value))?
                        .trim_matches('"');
                    let (service, _) = text.split_once('.')?;
                    (!service.contains('$')).then(|| format!("{service}.amazonaws.com"))
                })
            });
            p.by_function
                .entry(address)
                .or_default()
                .push((principal, perm));
        }
        p
    }

    /// The permission that lets `invoker` invoke `function`, if one does.
    fn allowing(&self, function: &str, invoker: &Invoker) -> Option<&'m BlockInfo<'m>> {
        self.by_function.get(function).and_then(|list| {
            list.iter()
                .find(|(principal, _)| principal.as_deref().is_none_or(|p| invoker.accepts(p)))
                .map(|(_, b)| *b)
        })
    }
}

/// The function an expression names (`aws_lambda_function.x.arn`, `.function_name`, …).
fn function_named(expr: &Expression) -> Option<String> {
    let mut refs = RefCollector::default();
    refs.expr(expr);
    refs.refs.into_iter().find_map(|r| match &r.target {
        Target::Resource { ty, .. } if ty == "aws_lambda_function" => Some(r.target.address()),
        _ => None,
    })
}

impl Rule for LambdaInvokePermissionMissing {
    fn id(&self) -> &'static str {
        "lambda-invoke-permission-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in model.modules.iter().filter(|m| m.terraform_parsed()) {
            if module.resources("aws_lambda_function").next().is_none() {
                continue;
            }
            let perms = Permissions::of(model, module);
            if perms.unknown {
                continue;
            }
            // (trigger, where the function is named, the function, the service).
            let mut uses: Vec<(&BlockInfo<'_>, &hcl_edit::structure::Attribute, &Invoker)> =
                Vec::new();
            for b in module.resources("aws_secretsmanager_secret_rotation") {
                if let Some(a) = b.attr("rotation_lambda_arn") {
                    uses.push((b, a, &SECRETS));
                }
            }
            for b in module.resources("aws_s3_bucket_notification") {
                for l in b.body().get_blocks("lambda_function") {
                    if let Some(a) = l.body.get_attribute("lambda_function_arn") {
                        uses.push((b, a, &S3));
                    }
                }
            }
            for b in module.resources("aws_cloudwatch_log_subscription_filter") {
                if let Some(a) = b.attr("destination_arn") {
                    uses.push((b, a, &LOGS));
                }
            }
            for b in module.resources("aws_config_config_rule") {
                for source in b.body().get_blocks("source") {
                    let custom = source
                        .body
                        .get_attribute("owner")
                        .and_then(|o| static_str(&o.value))
                        .is_some_and(|o| o == "CUSTOM_LAMBDA");
                    if custom && let Some(a) = source.body.get_attribute("source_identifier") {
                        uses.push((b, a, &CONFIG));
                    }
                }
            }
            for b in module.resources("aws_lb_target_group_attachment") {
                if let Some(a) = b.attr("target_id") {
                    uses.push((b, a, &ELB));
                }
            }
            let mut reported = std::collections::HashSet::new();
            for (b, attr, invoker) in uses {
                let Some(address) = function_named(&attr.value) else {
                    continue;
                };
                let Some(function) = module.block(&address) else {
                    continue;
                };
                match perms.allowing(&address, invoker) {
                    None => {
                        if !reported.insert((b.address.clone(), address.clone())) {
                            continue;
                        }
                        let mut f = self.finding(
                            b.file,
                            span_of(attr),
                            format!("{} may not invoke `{}`", invoker.service, address),
                            format!(
                                "`{}` gives `{address}` to {}, but no `aws_lambda_permission` of the module lets `{}` invoke it: {} tries the function when `{}` is created and refuses it",
                                b.address, invoker.service, invoker.principal, invoker.service, b.address
                            ),
                        );
                        f.address = Some(b.address.clone());
                        f.key = format!("{} {address}", invoker.principal);
                        f.related.push(Related {
                            file: function.file,
                            span: function.header(),
                            message: "the function".into(),
                        });
                        f.fix = permission_fix(model, function, b, invoker);
                        out.push(f);
                    }
                    Some(permission) if invoker.principal == S3.principal => {
                        let waits = module.waits_for(&b.address, &[&permission.address]);
                        if waits != Some(false)
                            || !reported.insert((b.address.clone(), address.clone()))
                        {
                            continue;
                        }
                        let mut f = self.finding(
                            b.file,
                            b.header(),
                            format!("`{}` does not wait for `{}`", b.address, permission.address),
                            format!(
                                "`{}` neither references nor depends on `{}`, which lets S3 invoke `{address}`: Terraform may configure the notification first, and S3 refuses it (`InvalidArgument: Unable to validate the following destination configurations`)",
                                b.address, permission.address
                            ),
                        );
                        f.severity = Severity::Medium;
                        f.address = Some(b.address.clone());
                        f.key = permission.address.clone();
                        f.related.push(Related {
                            file: permission.file,
                            span: permission.header(),
                            message: "the permission, which must come first".into(),
                        });
                        f.fix = crate::edits::depend_on_fix(model, b, &permission.address);
                        out.push(f);
                    }
                    Some(_) => {}
                }
            }
        }
    }
}

/// A new `aws_lambda_permission` for `invoker` on `function`, after the function's block;
/// for an S3 notification, also a `depends_on` on it.
fn permission_fix(
    model: &Model<'_>,
    function: &BlockInfo<'_>,
    trigger: &BlockInfo<'_>,
    invoker: &Invoker,
) -> Option<Fix> {
    // A counted function needs an instance key the fix cannot choose.
    if function.attr("count").is_some() || function.attr("for_each").is_some() {
        return None;
    }
    let name = format!(
        "{}_{}",
        function.label(1),
        invoker.principal.split('.').next()?
    );
    let statement = format!(
        "Allow{}",
        invoker.service.split_whitespace().collect::<String>()
    );
    let text = format!(
        "\n\nresource \"aws_lambda_permission\" \"{name}\" {{\n  statement_id  = \"{statement}\"\n  action        = \"lambda:InvokeFunction\"\n  function_name = {}.function_name\n  principal     = \"{}\"\n}}",
        function.address, invoker.principal
    );
    let mut edits = vec![Edit::insert(
        model.path(function.file),
        function.span.end,
        text,
    )];
    if invoker.principal == S3.principal
        && let Some(dep) =
            crate::edits::depend_on_fix(model, trigger, &format!("aws_lambda_permission.{name}"))
    {
        edits.extend(dep.edits);
    }
    Some(Fix::new(
        format!("Let {} invoke `{}`", invoker.service, function.address),
        Applicability::Unsafe,
        edits,
    ))
}
