//! # Multi-Region key whose policy does not let anyone replicate it
//!
//! ## What it does
//! Reports an `aws_kms_replica_key` whose primary key (an `aws_kms_key` of the module,
//! named by `primary_key_arn`) has a key policy — its own `policy` or an
//! `aws_kms_key_policy` — in which no `Allow` statement grants `kms:ReplicateKey` (or an
//! action pattern that covers it: `kms:*`, `kms:Re*`, `kms:*Key`, `*`) to an AWS
//! principal. A key without a policy has
//! AWS's default policy, which gives the account `kms:*`, and is not reported; neither
//! is a policy that cannot be read whole. The key policy, and the actions of each
//! statement that grants AWS principals theirs (where `kms:ReplicateKey` belongs), are
//! related places.
//!
//! ## Why is this bad?
//! Creating a replica calls `ReplicateKey` on the primary key, which KMS authorises by
//! the primary key's policy. A policy that lists administrative actions one by one
//! (`kms:Create*`, `kms:Describe*`, `kms:Enable*`…) without it refuses the replica.
//!
//! ## Error
//! ```text
//! AccessDeniedException: User: arn:aws:iam::123456789012:user/deployer is not authorized
//! to perform: kms:ReplicateKey on resource: arn:aws:kms:us-east-1:123456789012:key/mrk-…
//! because no resource-based policy allows the kms:ReplicateKey action
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_kms_key" "data" {
//!   multi_region = true
//!   policy = jsonencode({ Statement = [{
//!     Principal = { AWS = "arn:aws:iam::${local.account}:root" }
//!     Action    = ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:Put*"]
//!     Resource  = "*"
//!   }] })
//! }
//! ```
//! Use instead an administrators' statement that holds `kms:ReplicateKey` (the console's
//! default key administrators' statement does), or `kms:*` for the account.
//!
//! ## Fix safety
//! No fix: who may replicate the key is the author's decision.
//!
//! ## Root cause
//! The key administrators' statement was written from a list that predates Multi-Region
//! keys.
//!
//! ## Impact
//! Deployment blocker: the replica key, and everything encrypted with it in the other
//! region, is not created.
//!
//! ## References
//! https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-auth.html

use super::kms_key_policy_missing_service_principal::{KeyPolicy, key_of, key_policy};
use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::expr::span_of;
use crate::model::{BlockKind, Model};

pub struct KmsReplicaKeyPermissionMissing;

/// Whether an action, as written (IAM wildcards `*` and `?`, any case), covers
/// `kms:ReplicateKey`.
fn covers(action: &str) -> bool {
    crate::model::policy::action_matches(action, "kms:ReplicateKey")
}

impl Rule for KmsReplicaKeyPermissionMissing {
    fn id(&self) -> &'static str {
        "kms-replica-key-permission-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for replica in module.blocks_of(BlockKind::Resource) {
                if !replica.is_resource("aws_kms_replica_key") {
                    continue;
                }
                let Some(primary) = replica.attr("primary_key_arn") else {
                    continue;
                };
                let Some(key_index) = key_of(module, &primary.value) else {
                    continue;
                };
                let KeyPolicy::Known { policies, holder } = key_policy(module, key_index) else {
                    continue;
                };
                if policies.iter().any(|p| !p.policy.complete) {
                    continue;
                }
                let granted = policies.iter().any(|p| {
                    p.policy.statements.iter().any(|s| {
                        s.allows()
                            && s.principals
                                .iter()
                                .any(|(kind, _)| kind == "AWS" || kind == "*")
                            && s.actions.iter().any(|a| covers(a))
                    })
                });
                if granted {
                    continue;
                }
                let key = &module.blocks[key_index];
                let holder = &module.blocks[holder];
                let mut f = self.finding(
                    replica.file,
                    span_of(&primary.value),
                    format!("`{}`'s policy does not allow `kms:ReplicateKey`", key.address),
                    format!(
                        "`{}` replicates `{}`, whose key policy (`{}`) grants `kms:ReplicateKey` to no one: KMS authorises the replication by the primary key's policy and refuses the replica with AccessDeniedException; add `kms:ReplicateKey` to the key administrators' statement",
                        replica.address, key.address, holder.address
                    ),
                );
                f.address = Some(replica.address.clone());
                f.key = key.address.clone();
                f.related.push(Related {
                    file: holder.file,
                    span: holder.header(),
                    message: "the primary key's policy".into(),
                });
                // Where `kms:ReplicateKey` belongs: the actions of the statements that
                // give AWS principals (the key administrators) their actions.
                for p in &policies {
                    for s in &p.policy.statements {
                        let administrators =
                            s.allows() && s.principals.iter().any(|(kind, _)| kind == "AWS");
                        if let (true, Some(span)) = (administrators, s.action_span.clone()) {
                            f.related.push(Related {
                                file: p.file,
                                span,
                                message:
                                    "actions granted to AWS principals, without `kms:ReplicateKey`"
                                        .into(),
                            });
                        }
                    }
                }
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn action_patterns_that_cover_replicate_key() {
        for yes in [
            "*",
            "kms:*",
            "KMS:ReplicateKey",
            "kms:Re*",
            "kms:*Key",
            "kms:Replicat?Key",
        ] {
            assert!(covers(yes), "{yes}");
        }
        for no in [
            "kms:Create*",
            "kms:Put*",
            "kms:ReplicateKeys",
            "s3:*",
            "kms:Decrypt",
        ] {
            assert!(!covers(no), "{no}");
        }
    }
}
