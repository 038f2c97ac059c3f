//! # ACM certificate that cannot be validated
//!
//! ## What it does
//! Reports an `aws_acm_certificate` with `validation_method = "DNS"` (and no `count` or
//! `for_each` that makes it optional) that will stay pending:
//! - its domain (variables, tfvars and locals filled in) is under a name no one can own
//!   publicly: a top-level domain that is reserved or not delegated (`.local`,
//!   `.internal`, `.test`, `.example`, `.invalid`, `.localhost`, `.lan`, `.corp`,
//!   `.home`) or the documentation domains `example.com`, `example.net`, `example.org`;
//!   or
//! - nothing in the module validates it: no `aws_acm_certificate_validation` names it and
//!   no `aws_route53_record` is written from it.
//!
//! ## Why is this bad?
//! ACM issues the certificate only once the DNS record it asks for resolves. Until then
//! every listener, CloudFront distribution or API domain that uses it fails to create
//! (`UnsupportedCertificate`), and an `aws_acm_certificate_validation` waits until it
//! times out after 75 minutes.
//!
//! ## Example
//! ```hcl
//! resource "aws_acm_certificate" "app" {
//!   domain_name       = "app.example.com"
//!   validation_method = "DNS"
//! }
//! ```
//! Use instead a domain whose Route 53 zone the configuration manages, with the
//! validation records and an `aws_acm_certificate_validation`, or make HTTPS optional
//! (`count = var.domain_name == "" ? 0 : 1`).
//!
//! ## Fix safety
//! No fix: which domain to use and who owns its zone is the reviewer's decision.
//!
//! ## Root cause
//! HTTPS was added for completeness with a domain the deployment does not control, or
//! without the records that prove control of it.
//!
//! ## Impact
//! Deployment blocker, or a deployment that hangs for over an hour before failing.
//!
//! ## References
//! https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
//! https://www.rfc-editor.org/rfc/rfc6761

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::eval::known;
use crate::model::expr::{Target, span_of};
use crate::model::{BlockKind, Model};

/// Top-level domains no one can register (RFC 2606, RFC 6761, RFC 6762) and the
/// documentation domains.
const RESERVED_SUFFIXES: &[&str] = &[
    ".local",
    ".internal",
    ".test",
    ".example",
    ".invalid",
    ".localhost",
    ".lan",
    ".corp",
    ".home",
];
const DOCUMENTATION_DOMAINS: &[&str] = &["example.com", "example.net", "example.org"];

pub struct AcmCertificateNotValidatable;

impl Rule for AcmCertificateNotValidatable {
    fn id(&self) -> &'static str {
        "acm-certificate-not-validatable"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for b in module.blocks_of(BlockKind::Resource) {
                if b.label(0) != "aws_acm_certificate" {
                    continue;
                }
                // A certificate behind `count` or `for_each` is optional: the pattern for
                // HTTPS that needs a domain someone owns.
                let Some(method) = b.attr("validation_method") else {
                    continue;
                };
                if b.attr("count").is_some() || b.attr("for_each").is_some() {
                    continue;
                }
                if known(module, &method.value).text != "DNS" {
                    continue;
                }
                let target = Target::Resource {
                    ty: "aws_acm_certificate".into(),
                    name: b.label(1).to_string(),
                };
                let domain = b
                    .attr("domain_name")
                    .map(|d| (d, known(module, &d.value)))
                    .filter(|(_, k)| !k.text.is_empty());
                let unownable = domain.as_ref().and_then(|(_, k)| {
                    // The known end of the name (a partial value's known text ends the
                    // name when only its start is unknown).
                    let name = k.text.trim_end_matches('.').to_ascii_lowercase();
                    if !k.complete && !k.text.starts_with(&k.prefix) {
                        return None;
                    }
                    RESERVED_SUFFIXES
                        .iter()
                        .find(|s| name.ends_with(*s))
                        .map(|s| format!("`{s}` is not a public top-level domain"))
                        .or_else(|| {
                            DOCUMENTATION_DOMAINS
                                .iter()
                                .find(|d| name == **d || name.ends_with(&format!(".{d}")))
                                .map(|d| format!("`{d}` is reserved for documentation"))
                        })
                });
                let (span, why) = if let (Some((attr, k)), Some(why)) = (&domain, unownable) {
                    (
                        span_of(*attr),
                        format!(
                            "its domain `{}` cannot be validated: {why}, so no one can publish the DNS record ACM asks for",
                            k.text
                        ),
                    )
                } else {
                    // Who validates it: a validation resource, or records written from its
                    // domain_validation_options.
                    let validated = module.refs.iter().any(|r| {
                        r.target == target
                            && matches!(r.from, crate::model::Owner::Block(i)
                            if module.blocks.get(i).is_some_and(|o| {
                                o.is_resource("aws_acm_certificate_validation")
                                    || o.is_resource("aws_route53_record")
                            }))
                    });
                    if validated {
                        continue;
                    }
                    (
                        span_of(method),
                        "nothing validates it: no `aws_acm_certificate_validation` names it and no `aws_route53_record` is written from its `domain_validation_options`".to_string(),
                    )
                };
                let mut f = self.finding(
                    b.file,
                    span,
                    "ACM certificate cannot be validated".into(),
                    format!(
                        "`{}` uses DNS validation, but {why}: it stays pending, and whatever uses it fails to create",
                        b.address
                    ),
                );
                f.address = Some(b.address.clone());
                f.related = module
                    .refs
                    .iter()
                    .filter(|r| r.target == target)
                    .filter_map(|r| match r.from {
                        crate::model::Owner::Block(i) => module.blocks.get(i).map(|o| (r, o)),
                        crate::model::Owner::Local(_) => None,
                    })
                    .filter(|(_, o)| !o.is_resource("aws_route53_record"))
                    .map(|(r, o)| crate::finding::Related {
                        file: r.file,
                        span: r.span.clone(),
                        message: format!("`{}` uses the certificate", o.address),
                    })
                    .collect();
                out.push(f);
            }
        }
    }
}
