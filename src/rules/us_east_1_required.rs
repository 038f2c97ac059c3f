//! # CloudFront's companions outside us-east-1
//!
//! ## What it does
//! Reports what CloudFront accepts only from US East (N. Virginia) when the module
//! creates it in another region, or in a region given by a variable:
//! - WAFv2 web ACLs, rule groups, IP sets and regex pattern sets with
//!   `scope = "CLOUDFRONT"`;
//! - the ACM certificate of a distribution's `viewer_certificate` (named directly, or
//!   through an `aws_acm_certificate_validation`);
//! - the Lambda function of a distribution's `lambda_function_association`
//!   (Lambda@Edge);
//! - the log group of an `aws_route53_query_log`.
//!
//! The region is the resource's own `region` (provider 6) or that of the `aws` provider
//! configuration it uses. A region known to be another one is high, also when a variable
//! or local gives it (a default or `*.tfvars` value); a region a variable or local gives
//! as `us-east-1`, or whose value is not known, is medium: the code works only while it
//! says `us-east-1`. A distribution that names a `REGIONAL` web ACL in `web_acl_id` is
//! reported too.
//!
//! ## Why is this bad?
//! CloudFront is a global service whose control plane lives in us-east-1: it looks for
//! certificates, edge functions and CLOUDFRONT web ACLs there only, and Route 53 writes
//! query logs only to log groups there. Elsewhere the apply fails:
//! `WAFInvalidParameterException … scope CLOUDFRONT` outside us-east-1,
//! `InvalidViewerCertificate: The specified SSL certificate doesn't exist, isn't in
//! us-east-1 region`, `InvalidLambdaFunctionAssociation: The function must be in region
//! 'us-east-1'`, `InvalidInput: … log group … us-east-1`.
//!
//! ## Example
//! ```hcl
//! provider "aws" {
//!   region = "eu-west-1"
//! }
//!
//! resource "aws_wafv2_web_acl" "cdn" {
//!   name  = "cdn"
//!   scope = "CLOUDFRONT"
//!   # …
//! }
//! ```
//! Use instead a provider configuration pinned to us-east-1 for it:
//! ```hcl
//! provider "aws" {
//!   alias  = "us_east_1"
//!   region = "us-east-1"
//! }
//!
//! resource "aws_wafv2_web_acl" "cdn" {
//!   provider = aws.us_east_1
//!   name     = "cdn"
//!   scope    = "CLOUDFRONT"
//!   # …
//! }
//! ```
//!
//! ## Fix safety
//! No fix: the provider configuration to add, and which resources move with it, are a
//! choice.
//!
//! ## Root cause
//! The resource was written with the module's default provider, as every other one.
//!
//! ## Impact
//! Deployment blocker in every region but us-east-1.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html
//! - https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html
//! - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-restrictions.html
//! - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/query-logs.html

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::eval::known;
use crate::model::expr::{span_of, static_str};
use crate::model::{BlockInfo, Model, Module};

pub struct UsEast1Required;

const REGION: &str = "us-east-1";

/// Where `b` is created, when that is not certainly us-east-1: the region attribute,
/// its value as far as known, and whether a variable gives it.
struct Elsewhere<'a> {
    file: crate::workspace::FileId,
    attr: &'a hcl_edit::structure::Attribute,
    /// The value as far as known.
    text: String,
    /// The expression as written (`var.aws_region`).
    written: String,
    /// Whether the expression is not a literal (a variable, a local).
    variable: bool,
}

fn elsewhere<'a>(
    model: &Model<'_>,
    module: &Module<'a>,
    b: &BlockInfo<'a>,
) -> Option<Elsewhere<'a>> {
    let (file, attr) = module.region_attr(b)?;
    let written = model
        .src(file)
        .get(span_of(&attr.value))
        .unwrap_or("")
        .to_string();
    let value = known(module, &attr.value);
    let value = crate::model::eval::Known {
        text: if value.complete {
            value.text
        } else {
            String::new()
        },
        ..value
    };
    match static_str(&attr.value) {
        Some(region) if region == REGION => None,
        Some(region) => Some(Elsewhere {
            file,
            attr,
            written,
            text: region,
            variable: false,
        }),
        // A region given by a variable or a local (which may read one): only a literal
        // us-east-1 is certain.
        None => Some(Elsewhere {
            file,
            attr,
            written,
            text: value.text,
            variable: true,
        }),
    }
}

impl Rule for UsEast1Required {
    fn id(&self) -> &'static str {
        "us-east-1-required"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            // CLOUDFRONT-scoped WAF resources.
            for index in module.resource_indexes(&[
                "aws_wafv2_web_acl",
                "aws_wafv2_rule_group",
                "aws_wafv2_ip_set",
                "aws_wafv2_regex_pattern_set",
            ]) {
                let Some(b) = module.blocks.get(index) else {
                    continue;
                };
                let Some(scope) = b.attr("scope") else {
                    continue;
                };
                let s = known(module, &scope.value);
                if !(s.complete && s.text == "CLOUDFRONT") {
                    continue;
                }
                if let Some(e) = elsewhere(model, module, b) {
                    out.push(self.report(
                        b,
                        span_of(&scope.value),
                        format!("`{}` has scope CLOUDFRONT", b.address),
                        &e,
                        None,
                        "CloudFront",
                    ));
                }
            }
            for cf in module.resources("aws_cloudfront_distribution") {
                for vc in cf.body().get_blocks("viewer_certificate") {
                    let Some(arn) = vc.body.get_attribute("acm_certificate_arn") else {
                        continue;
                    };
                    let cert = module
                        .referenced(&arn.value, &["aws_acm_certificate"])
                        .or_else(|| {
                            let validation = module
                                .referenced(&arn.value, &["aws_acm_certificate_validation"])?;
                            module.referenced(
                                &validation.attr("certificate_arn")?.value,
                                &["aws_acm_certificate"],
                            )
                        });
                    let Some(cert) = cert else {
                        continue;
                    };
                    if let Some(e) = elsewhere(model, module, cert) {
                        out.push(self.report(
                            cf,
                            span_of(&arn.value),
                            format!("`{}` serves the certificate `{}`", cf.address, cert.address),
                            &e,
                            Some(cert),
                            "CloudFront",
                        ));
                    }
                }
                let behaviors = cf
                    .body()
                    .get_blocks("default_cache_behavior")
                    .chain(cf.body().get_blocks("ordered_cache_behavior"));
                for behavior in behaviors {
                    for assoc in behavior.body.get_blocks("lambda_function_association") {
                        let Some(arn) = assoc.body.get_attribute("lambda_arn") else {
                            continue;
                        };
                        let Some(function) =
                            module.referenced(&arn.value, &["aws_lambda_function"])
                        else {
                            continue;
                        };
                        if let Some(e) = elsewhere(model, module, function) {
                            out.push(self.report(
                                cf,
                                span_of(&arn.value),
                                format!("`{}` runs `{}` at the edge", cf.address, function.address),
                                &e,
                                Some(function),
                                "CloudFront",
                            ));
                        }
                    }
                }
                // A REGIONAL web ACL cannot protect a distribution, wherever it is.
                if let Some(acl_attr) = cf.attr("web_acl_id")
                    && let Some(acl) = module.referenced(&acl_attr.value, &["aws_wafv2_web_acl"])
                    && let Some(scope) = acl.attr("scope")
                    && let Some(s) = static_str(&scope.value)
                    && s == "REGIONAL"
                {
                    let mut f = self.finding(
                        cf.file,
                        span_of(&acl_attr.value),
                        format!("`{}` names a REGIONAL web ACL", cf.address),
                        format!(
                            "`{}` is protected by `{}`, whose scope is REGIONAL: CloudFront takes only web ACLs of scope CLOUDFRONT (created in us-east-1), and the apply fails",
                            cf.address, acl.address
                        ),
                    );
                    f.address = Some(cf.address.clone());
                    f.key = "web_acl_id".into();
                    f.related.push(Related {
                        file: acl.file,
                        span: span_of(&scope.value),
                        message: "the web ACL's scope".into(),
                    });
                    out.push(f);
                }
            }
            for q in module.resources("aws_route53_query_log") {
                let Some(arn) = q.attr("cloudwatch_log_group_arn") else {
                    continue;
                };
                let Some(group) = module.referenced(&arn.value, &["aws_cloudwatch_log_group"])
                else {
                    continue;
                };
                if let Some(e) = elsewhere(model, module, group) {
                    out.push(self.report(
                        q,
                        span_of(&arn.value),
                        format!("`{}` logs to `{}`", q.address, group.address),
                        &e,
                        Some(group),
                        "Route 53",
                    ));
                }
            }
        }
    }
}

impl UsEast1Required {
    /// A finding on `at` (the place that needs us-east-1) about `subject`'s region (`at`
    /// itself when `None`).
    fn report(
        &self,
        at: &BlockInfo<'_>,
        span: std::ops::Range<usize>,
        what: String,
        e: &Elsewhere<'_>,
        subject: Option<&BlockInfo<'_>>,
        service: &str,
    ) -> Finding {
        let made = match subject {
            Some(s) => format!("`{}`", s.address),
            None => "it".to_string(),
        };
        let (title, message) = if e.variable {
            (
                format!("{what}, created in the region `{}` gives", e.written),
                format!(
                    "{what}: {service} accepts it only from us-east-1, but {made} is created in the region `{}` gives{}; the apply fails in every other region",
                    e.written,
                    if e.text.is_empty() {
                        String::new()
                    } else {
                        format!(" (now `{}`)", e.text)
                    }
                ),
            )
        } else {
            (
                format!("{what}, created in {}", e.text),
                format!(
                    "{what}: {service} accepts it only from us-east-1, but {made} is created in `{}`, and the apply fails",
                    e.text
                ),
            )
        };
        let mut f = self.finding(at.file, span, title, message);
        // The variable's value (a default, tfvars) is us-east-1 or not known: the code
        // works as it stands, and fails where it is pointed elsewhere.
        if e.variable && (e.text == REGION || e.text.is_empty()) {
            f.severity = Severity::Medium;
        }
        f.address = Some(at.address.clone());
        f.key = subject.unwrap_or(at).address.clone();
        if let Some(s) = subject {
            f.related.push(Related {
                file: s.file,
                span: s.header(),
                message: "created outside us-east-1".into(),
            });
        }
        f.related.push(Related {
            file: e.file,
            span: span_of(&e.attr.value),
            message: "the region it is created in".into(),
        });
        f
    }
}
