//! # Plain HTTP served to the internet
//!
//! ## What it does
//! Reports:
//! - an `aws_lb_listener` (or `aws_alb_listener`) on `HTTP` (written, or left out on an
//!   application load balancer) whose `default_action` forwards (or answers) instead of
//!   redirecting to HTTPS, on a load balancer of the module that is not `internal`;
//! - a CloudFront cache behavior (`default_cache_behavior`, `ordered_cache_behavior`)
//!   with `viewer_protocol_policy = "allow-all"`.
//!
//! ## Why is this bad?
//! Traffic on plain HTTP crosses the internet readable and alterable: session cookies,
//! credentials and API payloads included. Security baselines ask for HTTP to be
//! redirected to HTTPS (AWS FSBP ELB.1, CloudFront.3).
//!
//! ## Example
//! ```hcl
//! resource "aws_lb_listener" "http" {
//!   load_balancer_arn = aws_lb.web.arn
//!   port              = 80
//!   protocol          = "HTTP"
//!   default_action {
//!     type             = "forward"
//!     target_group_arn = aws_lb_target_group.web.arn
//!   }
//! }
//! ```
//! Use instead a redirect, and the forward on an HTTPS listener:
//! ```hcl
//!   default_action {
//!     type = "redirect"
//!     redirect {
//!       port        = "443"
//!       protocol    = "HTTPS"
//!       status_code = "HTTP_301"
//!     }
//!   }
//! ```
//!
//! ## Fix safety
//! Unsafe, for CloudFront only: `redirect-to-https` sends old HTTP clients a redirect
//! they must follow. A listener's redirect needs an HTTPS listener (and a certificate)
//! to redirect to, so it has no fix.
//!
//! ## Root cause
//! A first listener written for a quick test, or TLS left for later.
//!
//! ## Impact
//! Data in transit readable and alterable.
//!
//! ## References
//! - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#redirect-actions
//! - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudfront-controls.html#cloudfront-3

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Related, Severity};
use crate::model::eval::known;
use crate::model::expr::{span_of, static_str};
use crate::model::{BlockKind, Model};

pub struct HttpNotRedirected;

impl Rule for HttpNotRedirected {
    fn id(&self) -> &'static str {
        "http-not-redirected"
    }

    fn severity(&self) -> Severity {
        Severity::Medium
    }

    fn class(&self) -> Class {
        Class::Security
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.blocks_of(BlockKind::Resource) {
                if b.is_resource("aws_cloudfront_distribution") {
                    for behavior in b.body().blocks().filter(|x| {
                        matches!(
                            x.ident.as_str(),
                            "default_cache_behavior" | "ordered_cache_behavior"
                        )
                    }) {
                        let Some(policy) = behavior.body.get_attribute("viewer_protocol_policy")
                        else {
                            continue;
                        };
                        if static_str(&policy.value).as_deref() != Some("allow-all") {
                            continue;
                        }
                        let mut f = self.finding(
                            b.file,
                            span_of(policy),
                            "CloudFront serves plain HTTP".to_string(),
                            format!(
                                "a cache behavior of `{}` has `viewer_protocol_policy = \"allow-all\"`: viewers can use plain HTTP",
                                b.address
                            ),
                        );
                        f.address = Some(b.address.clone());
                        f.key = "viewer_protocol_policy".into();
                        f.fix = Some(Fix::new(
                            "Redirect viewers to HTTPS",
                            Applicability::Unsafe,
                            vec![Edit::replace(
                                model.path(b.file),
                                span_of(&policy.value),
                                "\"redirect-to-https\"",
                            )],
                        ));
                        out.push(f);
                    }
                    continue;
                }
                if !(b.is_resource("aws_lb_listener") || b.is_resource("aws_alb_listener")) {
                    continue;
                }
                let Some(lb) = b
                    .attr("load_balancer_arn")
                    .and_then(|a| module.referenced(&a.value, &["aws_lb", "aws_alb"]))
                else {
                    continue;
                };
                let lb_type = lb
                    .attr("load_balancer_type")
                    .map(|a| known(module, &a.value))
                    .map_or(Some("application".to_string()), |k| {
                        k.complete.then_some(k.text)
                    });
                let internal = lb
                    .attr("internal")
                    .is_some_and(|a| a.value.as_bool() != Some(false));
                if lb_type.as_deref() != Some("application") || internal {
                    continue;
                }
                let protocol = b
                    .attr("protocol")
                    .map(|a| known(module, &a.value))
                    .map_or(Some("HTTP".to_string()), |k| k.complete.then_some(k.text));
                if protocol.as_deref() != Some("HTTP") {
                    continue;
                }
                let actions: Vec<_> = b
                    .body()
                    .blocks()
                    .filter(|x| x.ident.as_str() == "default_action")
                    .collect();
                let redirects = actions.iter().any(|a| {
                    a.body
                        .get_attribute("type")
                        .and_then(|t| static_str(&t.value))
                        .as_deref()
                        == Some("redirect")
                });
                let Some(action) = actions.first() else {
                    continue;
                };
                if redirects {
                    continue;
                }
                let mut f = self.finding(
                    b.file,
                    b.header(),
                    "Load balancer serves plain HTTP".to_string(),
                    format!(
                        "`{}` listens on HTTP for `{}`, an internet-facing load balancer, and serves instead of redirecting to HTTPS",
                        b.address, lb.address
                    ),
                );
                f.address = Some(b.address.clone());
                f.related.push(Related {
                    file: b.file,
                    span: span_of(*action),
                    message: "the action that serves the request".into(),
                });
                out.push(f);
            }
        }
    }
}
