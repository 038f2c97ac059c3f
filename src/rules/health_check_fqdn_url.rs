//! # Route 53 health check whose `fqdn` is a URL
//!
//! ## What it does
//! Reports the `fqdn` of an `aws_route53_health_check` that is built from an API
//! Gateway `invoke_url` (or written as a URL: `https://…`, a `/` after the host) without
//! cutting the URL down to its host (`split("/", …)[2]`, `regex(…)`, `trimsuffix`,
//! `urlparse`-like functions).
//!
//! ## Why is this bad?
//! `fqdn` takes a host name. An `invoke_url` is `https://{id}.execute-api.{region}.amazonaws.com/{stage}`:
//! with the scheme replaced away it still ends with the stage path (or `/`), and Route 53
//! refuses the health check (`InvalidInput`) or checks a name that does not resolve.
//!
//! ## Example
//! ```hcl
//! resource "aws_route53_health_check" "api" {
//!   fqdn          = replace(aws_apigatewayv2_stage.api.invoke_url, "https://", "")
//!   type          = "HTTPS"
//!   resource_path = "/health"
//! }
//! ```
//! Use instead the host alone, and the stage in `resource_path`:
//! ```hcl
//!   fqdn          = split("/", aws_apigatewayv2_stage.api.invoke_url)[2]
//!   resource_path = "/${aws_apigatewayv2_stage.api.name}/health"
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix takes the host with `split("/", url)[2]`; the stage path then has to
//! be part of `resource_path`, which the fix does not change.
//!
//! ## Root cause
//! A URL attribute was taken for a host name.
//!
//! ## Impact
//! Deployment blocker, or a health check (and the failover that follows it) on a name
//! that does not exist.
//!
//! ## References
//! https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html

use hcl_edit::expr::Expression;
use hcl_edit::visit::{self, Visit};

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::expr::{span_of, traversal_path};
use crate::model::{BlockKind, Model};

pub struct HealthCheckFqdnUrl;

impl Rule for HealthCheckFqdnUrl {
    fn id(&self) -> &'static str {
        "health-check-fqdn-url"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.blocks_of(BlockKind::Resource) {
                if !b.is_resource("aws_route53_health_check") {
                    continue;
                }
                let Some(attr) = b.attr("fqdn") else {
                    continue;
                };
                let mut look = UrlUse::default();
                look.visit_expr(&attr.value);
                let src = model.src(b.file);
                let written = crate::model::eval::known(module, &attr.value);
                let literal_url = written.complete
                    && (written.text.contains("://") || written.text.trim_end().contains('/'));
                let Some(url) = look.invoke_url.filter(|_| !look.cut).or_else(|| {
                    literal_url.then(|| src.get(span_of(&attr.value)).unwrap_or("").to_string())
                }) else {
                    continue;
                };
                let mut f = self.finding(
                    b.file,
                    span_of(&attr.value),
                    "Health check `fqdn` is a URL".to_string(),
                    format!(
                        "`{}` checks `fqdn` built from `{url}`, a URL with a path: Route 53 takes a host name there and refuses the health check or checks a name that does not resolve",
                        b.address
                    ),
                );
                f.address = Some(b.address.clone());
                f.key = "fqdn".to_string();
                if !literal_url {
                    f.fix = Some(Fix::new(
                        format!("Take the host: `split(\"/\", {url})[2]`"),
                        Applicability::Unsafe,
                        vec![Edit::replace(
                            model.path(b.file),
                            span_of(&attr.value),
                            format!("split(\"/\", {url})[2]"),
                        )],
                    ));
                }
                out.push(f);
            }
        }
    }
}

/// The `…invoke_url` an expression reads, and whether a function that can cut a URL
/// down to its host is applied.
#[derive(Default)]
struct UrlUse {
    invoke_url: Option<String>,
    cut: bool,
}

impl Visit for UrlUse {
    fn visit_expr(&mut self, expr: &Expression) {
        if let Expression::Traversal(_) = expr
            && let Some((root, attrs)) = traversal_path(expr)
            && attrs.last() == Some(&"invoke_url")
        {
            self.invoke_url = Some(format!("{root}.{}", attrs.join(".")));
        }
        if let Expression::FuncCall(call) = expr
            && matches!(
                call.name.name.as_str(),
                "split" | "regex" | "regexall" | "trimsuffix" | "element" | "one"
            )
        {
            self.cut = true;
        }
        visit::visit_expr(self, expr);
    }
}
