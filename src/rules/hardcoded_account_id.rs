//! # Hard-coded AWS account id
//!
//! ## What it does
//! Reports a literal 12-digit AWS account id in a string — on its own or inside an ARN
//! (`arn:aws:iam::123456789012:root`) — in `.tf` files. Descriptions are not checked,
//! and neither are `*.tfvars` files, which is where such values belong. A region's
//! Elastic Load Balancing account is reported as tied to its region, without the fix
//! to the caller's account (which would lock the load balancer out).
//!
//! ## Why is this bad?
//! The code only works in that one account: deployed anywhere else, policies point at a
//! foreign account (granting it access, or denying one's own), and ARNs resolve to
//! nothing. It also publishes the account id.
//!
//! ## Example
//! ```hcl
//! Principal = { AWS = "arn:aws:iam::123456789012:root" }
//! ```
//! Use instead:
//! ```hcl
//! data "aws_caller_identity" "current" {}
//! Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
//! ```
//!
//! ## Fix safety
//! Unsafe, and offered only when the module declares `data "aws_caller_identity"`: the
//! fix writes the current account instead, which is what the code means unless the
//! literal deliberately names another account.
//!
//! ## Root cause
//! Values were copied from one environment into the code.
//!
//! ## Impact
//! Reliability and security: the code is not portable and may trust a foreign account.
//!
//! ## References
//! https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/caller_identity

use super::{Class, Rule};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::expr::literal_spans;
use crate::model::{BlockKind, Model};

pub struct HardcodedAccountId;

impl Rule for HardcodedAccountId {
    fn id(&self) -> &'static str {
        "hardcoded-account-id"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Reliability
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            let caller = module
                .blocks_of(BlockKind::Data)
                .find(|b| b.label(0) == "aws_caller_identity")
                .map(|b| format!("${{data.aws_caller_identity.{}.account_id}}", b.label(1)));
            for b in &module.blocks {
                let mut keys = super::OccurrenceKeys::default();
                let src = model.src(b.file);
                if !has_twelve_digits(src.get(b.span.clone()).unwrap_or("")) {
                    continue;
                }
                for (key, span) in literal_spans(b.body()) {
                    if key == "description" {
                        continue;
                    }
                    let text = src.get(span.clone()).unwrap_or("");
                    for at in account_ids(text) {
                        let start = span.start + at;
                        let id = &text[at..at + 12];
                        // An AWS-owned account (a region's Elastic Load Balancing
                        // account) is not the deployer's: the caller's id would break it.
                        let elb = super::log_bucket_policy_missing::ELB_ACCOUNTS
                            .iter()
                            .find(|(_, elb)| *elb == id)
                            .map(|(region, _)| *region);
                        let message = match elb {
                            Some(region) => format!(
                                "`{}` names `{id}`, the Elastic Load Balancing account of {region}, literally: deployed in any other region, the load balancer cannot deliver to it; `data.aws_elb_service_account` gives the region's account",
                                b.address
                            ),
                            None => format!(
                                "`{}` names account `{id}` literally: in any other account this points at a foreign account",
                                b.address
                            ),
                        };
                        let mut f = self.finding(
                            b.file,
                            start..start + 12,
                            format!("Hard-coded account id `{id}`"),
                            message,
                        );
                        f.address = Some(b.address.clone());
                        f.key = keys.key(format!("{key}:{id}"));
                        if let Some(caller) = caller.as_ref().filter(|_| elb.is_none()) {
                            f.fix = Some(Fix::new(
                                "Use the current account from `aws_caller_identity`",
                                Applicability::Unsafe,
                                vec![Edit::replace(
                                    model.path(b.file),
                                    start..start + 12,
                                    caller.clone(),
                                )],
                            ));
                        }
                        out.push(f);
                    }
                }
            }
        }
    }
}

/// Whether `text` has a run of exactly twelve digits anywhere.
fn has_twelve_digits(text: &str) -> bool {
    let bytes = text.as_bytes();
    // A run of 12 digits covers one of every 12 positions: look at those only, and
    // measure the run around each digit found there.
    let mut probe = 11;
    while probe < bytes.len() {
        if !bytes[probe].is_ascii_digit() {
            probe += 12;
            continue;
        }
        let start = bytes[..probe]
            .iter()
            .rposition(|c| !c.is_ascii_digit())
            .map_or(0, |i| i + 1);
        let end = bytes[probe..]
            .iter()
            .position(|c| !c.is_ascii_digit())
            .map_or(bytes.len(), |i| probe + i);
        if end - start == 12 {
            return true;
        }
        // The next run starts after this one's end.
        probe = end + 12;
    }
    false
}

/// Offsets of account ids in a string literal's source text: 12 digits that are the
/// whole string, or an ARN's account field (between `:` and `:`).
fn account_ids(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let inner = text.trim_matches('"');
    if inner.len() == 12 && inner.bytes().all(|c| c.is_ascii_digit()) {
        return vec![text.find(inner).unwrap_or(0)];
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i + 12 <= bytes.len() {
        let run = bytes[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run == 0 {
            i += 1;
            continue;
        }
        if run == 12
            && i > 0
            && bytes[i - 1] == b':'
            && bytes.get(i + 12) == Some(&b':')
            && text[..i].contains("arn:")
        {
            out.push(i);
        }
        i += run;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{account_ids, has_twelve_digits};

    #[test]
    fn a_run_of_exactly_twelve_digits_is_found_wherever_it_is() {
        // Every placement of runs of 11, 12 and 13 digits among other bytes.
        let naive = |t: &str| {
            t.split(|c: char| !c.is_ascii_digit())
                .any(|r| r.len() == 12)
        };
        for pad in 0..26 {
            for len in [1, 11, 12, 13, 24] {
                for tail in [0, 1, 5, 13] {
                    let digits = "7".repeat(len);
                    let t = format!("{}{digits}{}", "a".repeat(pad), "b".repeat(tail));
                    assert_eq!(has_twelve_digits(&t), naive(&t), "{t}");
                    let two = format!("{t}x{}", "1".repeat(12));
                    assert!(has_twelve_digits(&two), "{two}");
                }
            }
        }
        assert!(!has_twelve_digits(""));
        assert!(has_twelve_digits("123456789012"));
    }

    #[test]
    fn account_ids_are_whole_strings_or_arn_fields() {
        assert_eq!(account_ids("\"123456789012\""), vec![1]);
        assert_eq!(account_ids("\"arn:aws:iam::123456789012:root\""), vec![14]);
        assert_eq!(
            account_ids("arn:aws:sns:us-east-1:123456789012:topic"),
            vec![22]
        );
        assert!(account_ids("\"1234567890123\"").is_empty());
        assert!(account_ids("\"build-123456789012-x\"").is_empty());
    }
}
