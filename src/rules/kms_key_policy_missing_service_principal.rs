//! # KMS key policy without the service principal
//!
//! ## What it does
//! Reports a KMS key used by a CloudWatch log group (`kms_key_id`), a CloudTrail trail,
//! an SNS topic or an SQS queue (`kms_master_key_id`) whose key policy does not allow the
//! services that must use it: `logs.<region>.amazonaws.com`, `cloudtrail.amazonaws.com`,
//! and for SNS and SQS the service principal or the account (`:root`). A statement for
//! the service counts only when its actions cover what the service calls
//! (`kms:GenerateDataKey`, and `kms:Decrypt` for all but CloudTrail) and no condition on
//! `kms:ViaService` shuts it: that key is set only when a service acts for an IAM
//! principal, never on a service principal's own call. One finding per key names every
//! service its policy leaves out.
//!
//! ## Why is this bad?
//! CloudWatch Logs and CloudTrail call KMS as themselves, so only the key policy can let
//! them in; IAM policies of the caller do not help. The resource creation fails with
//! "The specified KMS key does not exist or is not allowed to be used".
//!
//! ## Error
//! Creating a CloudWatch log group with the key fails with:
//! ```text
//! api error AccessDeniedException: The specified KMS key does not exist or is not allowed to be used
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_kms_key_policy" "logs" {
//!   key_id = aws_kms_key.logs.id
//!   policy = jsonencode({
//!     Statement = [{
//!       Sid       = "SecurityAdmin"
//!       Effect    = "Allow"
//!       Principal = { AWS = aws_iam_role.security_admin.arn }
//!       Action    = "kms:*"
//!       Resource  = "*"
//!     }]
//!   })
//! }
//! ```
//! Use instead: add a statement that allows `logs.${var.aws_region}.amazonaws.com` to
//! `kms:Encrypt*`, `kms:Decrypt*`, `kms:ReEncrypt*`, `kms:GenerateDataKey*` and
//! `kms:Describe*`, limited by `kms:EncryptionContext:aws:logs:arn`.
//!
//! ## Fix safety
//! Safe. The fix adds one statement per missing service to the key policy (or, for a key
//! with the default policy, a policy that keeps the account's access and adds them), scoped to
//! the account by the encryption-context condition. It adds `data "aws_region"` and
//! `data "aws_caller_identity"` when the module has neither a region variable nor them.
//!
//! ## Root cause
//! Encryption was configured on the resources without recognising that the AWS service
//! itself needs explicit permission in the key policy to encrypt on the user's behalf.
//!
//! ## Impact
//! Deployment fails for every resource encrypted with the key; audit logs cannot be
//! created with encryption.
//!
//! ## References
//! https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html

use std::collections::BTreeMap;

use hcl_edit::expr::Expression;

use super::{Class, Rule};
use crate::edits::{append_to_block, append_to_file, indent_lines, line_indent};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::expr::traversal_path;
use crate::model::policy::{PolicyForm, Statement};
use crate::model::{BlockInfo, BlockKind, Model, Module, PolicyInfo};

pub struct KmsKeyPolicyMissingServicePrincipal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Service {
    Logs,
    CloudTrail,
    Sns,
    Sqs,
}

impl Service {
    fn of(resource_type: &str) -> Option<(Service, &'static str)> {
        match resource_type {
            "aws_cloudwatch_log_group" => Some((Service::Logs, "kms_key_id")),
            "aws_cloudtrail" => Some((Service::CloudTrail, "kms_key_id")),
            "aws_sns_topic" => Some((Service::Sns, "kms_master_key_id")),
            "aws_sqs_queue" => Some((Service::Sqs, "kms_master_key_id")),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Service::Logs => "CloudWatch Logs",
            Service::CloudTrail => "CloudTrail",
            Service::Sns => "SNS",
            Service::Sqs => "SQS",
        }
    }

    fn host_prefix(self) -> &'static str {
        match self {
            Service::Logs => "logs.",
            Service::CloudTrail => "cloudtrail.",
            Service::Sns => "sns.",
            Service::Sqs => "sqs.",
        }
    }

    /// The KMS calls the service makes with the key, without which it cannot use it.
    fn needs(self) -> &'static [&'static str] {
        match self {
            Service::CloudTrail => &["kms:GenerateDataKey"],
            Service::Logs | Service::Sns | Service::Sqs => &["kms:GenerateDataKey", "kms:Decrypt"],
        }
    }

    /// Whether a key policy that lets the account's IAM policies decide is enough.
    fn account_suffices(self) -> bool {
        matches!(self, Service::Sns | Service::Sqs)
    }
}

/// What is known of a key's policy.
pub(super) enum KeyPolicy<'m> {
    /// No `policy` and no `aws_kms_key_policy`: AWS's default policy (account only).
    Default,
    Known {
        policies: Vec<&'m PolicyInfo>,
        /// The block to name in the finding (the key policy resource, or the key).
        holder: usize,
    },
    Unknown,
}

impl Rule for KmsKeyPolicyMissingServicePrincipal {
    fn id(&self) -> &'static str {
        "kms-key-policy-missing-service-principal"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            let (missing, mut policy_of) = missing_services(module);
            for (key_index, services) in missing {
                let Some((holder, policies)) = policy_of.remove(&key_index) else {
                    continue;
                };
                let key = &module.blocks[key_index];
                let holder_block = &module.blocks[holder];
                let policy_words = if policies.is_empty() {
                    "it has the default key policy, which".to_string()
                } else {
                    format!("its key policy (`{}`)", holder_block.address)
                };
                let names: Vec<&str> = services.iter().map(|(s, _)| s.name()).collect();
                let parts: Vec<String> = services
                    .iter()
                    .map(|(service, users)| {
                        let users: Vec<String> =
                            users.iter().map(|u| format!("`{}`", u.address)).collect();
                        format!(
                            "the {} service principal (`{}…amazonaws.com`), which {} needs",
                            service.name(),
                            service.host_prefix(),
                            users.join(", ")
                        )
                    })
                    .collect();
                let plural = if services.len() == 1 { "" } else { "s" };
                let mut f = self.finding(
                    holder_block.file,
                    holder_block.header(),
                    format!(
                        "KMS key policy does not allow the {} service{plural}",
                        names.join(" and ")
                    ),
                    format!(
                        "`{}` is used to encrypt, but {policy_words} does not allow {}; creating those resources fails with AccessDeniedException",
                        key.address,
                        parts.join(", nor ")
                    ),
                );
                f.address = Some(holder_block.address.clone());
                f.key = key.address.clone();
                // Where the key is used: each resource that needs the missing principal.
                for (service, users) in &services {
                    for user in users {
                        let attr = Service::of(user.label(0)).and_then(|(_, a)| user.attr(a));
                        f.related.push(crate::finding::Related {
                            file: user.file,
                            span: attr.map_or_else(|| user.header(), crate::model::expr::span_of),
                            message: format!(
                                "`{}` uses the key, which needs the {} principal",
                                user.address,
                                service.name()
                            ),
                        });
                    }
                }
                let services: Vec<Service> = services.iter().map(|(s, _)| *s).collect();
                f.fix = fix(model, module, key, &policies, &services);
                out.push(f);
            }
        }
    }
}

/// The services each key's policy leaves out, by key block index, with the users that
/// need them; and for each such key the block holding its policy and the policies.
#[allow(clippy::type_complexity)]
fn missing_services<'m>(
    module: &'m Module<'_>,
) -> (
    BTreeMap<usize, Vec<(Service, Vec<&'m BlockInfo<'m>>)>>,
    BTreeMap<usize, (usize, Vec<&'m PolicyInfo>)>,
) {
    // (key block index, service) → users
    let mut needs: BTreeMap<(usize, Service), Vec<&BlockInfo<'_>>> = BTreeMap::new();
    for user in module
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Resource)
    {
        let Some((service, attr)) = Service::of(user.label(0)) else {
            continue;
        };
        let Some(value) = user.attr(attr) else {
            continue;
        };
        if let Some(key) = key_of(module, &value.value) {
            needs.entry((key, service)).or_default().push(user);
        }
    }
    // One finding per key: its policy is one document, and one fix adds every
    // statement it lacks.
    let mut missing: BTreeMap<usize, Vec<(Service, Vec<&BlockInfo<'_>>)>> = BTreeMap::new();
    let mut policy_of = BTreeMap::new();
    for ((key_index, service), users) in needs {
        let (holder, allowed, policies) = match key_policy(module, key_index) {
            KeyPolicy::Unknown => continue,
            KeyPolicy::Default => (key_index, service.account_suffices(), Vec::new()),
            KeyPolicy::Known { policies, holder } => {
                let allowed = policies
                    .iter()
                    .any(|p| p.policy.statements.iter().any(|s| allows(s, service)))
                    || policies.iter().any(|p| !p.policy.complete);
                (holder, allowed, policies)
            }
        };
        if allowed {
            continue;
        }
        missing.entry(key_index).or_default().push((service, users));
        policy_of.insert(key_index, (holder, policies));
    }
    (missing, policy_of)
}

/// For a fix that makes a log group use the key at `key_index`: the edits that let
/// CloudWatch Logs use the key (none when its policy allows it, or when this rule
/// already reports the key for Logs and its own fix adds the statement); `None` when they
/// cannot be written now (the key's policy already lacks other services, whose fix
/// would write the same place, or it is a heredoc).
pub(super) fn logs_access_edits(
    model: &Model<'_>,
    module: &Module<'_>,
    key_index: usize,
) -> Option<Vec<Edit>> {
    let (missing, _) = missing_services(module);
    if let Some(services) = missing.get(&key_index) {
        return services
            .iter()
            .any(|(s, _)| *s == Service::Logs)
            .then(Vec::new);
    }
    let key = module.blocks.get(key_index)?;
    match key_policy(module, key_index) {
        KeyPolicy::Unknown => Some(Vec::new()),
        KeyPolicy::Default => fix(model, module, key, &[], &[Service::Logs]).map(|f| f.edits),
        KeyPolicy::Known { policies, .. } => {
            let allowed = policies
                .iter()
                .any(|p| p.policy.statements.iter().any(|s| allows(s, Service::Logs)))
                || policies.iter().any(|p| !p.policy.complete);
            if allowed {
                Some(Vec::new())
            } else {
                fix(model, module, key, &policies, &[Service::Logs]).map(|f| f.edits)
            }
        }
    }
}

/// The key block that an encryption attribute names, directly or through an alias.
pub(super) fn key_of(module: &Module<'_>, value: &Expression) -> Option<usize> {
    let (root, attrs) = traversal_path(value)?;
    let name = attrs.first()?;
    let address = format!("{root}.{name}");
    match root {
        "aws_kms_key" => module.index_of(&address),
        "aws_kms_alias" => {
            let alias = module.block(&address)?;
            key_of(module, &alias.attr("target_key_id")?.value)
        }
        _ => None,
    }
}

pub(super) fn key_policy<'m>(module: &'m Module<'_>, key_index: usize) -> KeyPolicy<'m> {
    let key = &module.blocks[key_index];
    let mut holders: Vec<usize> = Vec::new();
    if key.attr("policy").is_some() {
        holders.push(key_index);
    }
    for (i, b) in module.blocks.iter().enumerate() {
        if b.is_resource("aws_kms_key_policy")
            && b.attr("key_id")
                .is_some_and(|a| key_of(module, &a.value) == Some(key_index))
        {
            holders.push(i);
        }
    }
    let Some(&holder) = holders.last() else {
        return KeyPolicy::Default;
    };
    let mut policies = Vec::new();
    for &h in &holders {
        let Some(attr) = module.blocks[h].attr("policy") else {
            return KeyPolicy::Unknown;
        };
        let found: Vec<&PolicyInfo> = match module.policy_document(&attr.value) {
            Some(doc) => module.policies_of(doc).collect(),
            None => module
                .policies_of(h)
                .filter(|p| p.policy.attr == "policy")
                .collect(),
        };
        if found.is_empty() {
            return KeyPolicy::Unknown;
        }
        policies.extend(found);
    }
    KeyPolicy::Known { policies, holder }
}

fn allows(st: &Statement, service: Service) -> bool {
    if !st.allows() {
        return false;
    }
    let everyone = st
        .principals
        .iter()
        .any(|(kind, values)| (kind == "*" || kind == "AWS") && values.iter().any(|v| v == "*"));
    // The service's own statement counts when it grants what the service calls and no
    // condition shuts the service out: `kms:ViaService` is set only when a service acts
    // for an IAM principal, never on a service principal's own call.
    let the_service = st
        .services()
        .any(|s| s.starts_with(service.host_prefix()) && s.contains("amazonaws.com"))
        && service.needs().iter().all(|needed| {
            st.actions
                .iter()
                .any(|a| crate::model::policy::action_matches(a, needed))
        })
        && !st.conditions.iter().any(|c| {
            c.key.eq_ignore_ascii_case("kms:ViaService") && !c.operator.ends_with("IfExists")
        });
    let the_account = service.account_suffices()
        && st.principals.iter().any(|(kind, values)| {
            kind == "AWS"
                && values
                    .iter()
                    .any(|v| v.ends_with(":root") || v.contains(":root\""))
        });
    everyone || the_service || the_account
}

/// Expressions for the region and the account id, and the data sources to add for them.
fn region_and_account(
    model: &Model<'_>,
    module: &Module<'_>,
    path: &str,
    needs_region: bool,
) -> (String, String, Vec<Edit>) {
    let mut added = Vec::new();
    let data = |ty: &str| {
        module
            .blocks
            .iter()
            .find(|b| b.kind == BlockKind::Data && b.label(0) == ty)
            .map(|b| b.label(1).to_string())
    };
    let region = match ["aws_region", "region"]
        .iter()
        .find(|v| module.has_variable(v))
    {
        Some(v) => format!("var.{v}"),
        None if !needs_region => String::new(),
        None => match data("aws_region") {
            Some(name) => format!("data.aws_region.{name}.name"),
            None => {
                added.push("data \"aws_region\" \"current\" {}");
                "data.aws_region.current.name".to_string()
            }
        },
    };
    let account = match data("aws_caller_identity") {
        Some(name) => format!("data.aws_caller_identity.{name}.account_id"),
        None => {
            added.push("data \"aws_caller_identity\" \"current\" {}");
            "data.aws_caller_identity.current.account_id".to_string()
        }
    };
    // One edit per data source, so that another fix adding the same one is the same
    // edit, made once.
    let edits = added
        .iter()
        .map(|text| append_to_file(model.ws, path, text))
        .collect();
    (region, account, edits)
}

struct NewStatement {
    sid: &'static str,
    principal_kind: &'static str,
    principal: String,
    actions: &'static [&'static str],
    condition: Option<(&'static str, &'static str, String)>,
}

impl NewStatement {
    fn for_service(service: Service, region: &str, account: &str) -> NewStatement {
        match service {
            Service::Logs => NewStatement {
                sid: "AllowCloudWatchLogsUseOfTheKey",
                principal_kind: "Service",
                principal: format!("logs.${{{region}}}.amazonaws.com"),
                actions: &[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                condition: Some((
                    "ArnLike",
                    "kms:EncryptionContext:aws:logs:arn",
                    format!("arn:aws:logs:${{{region}}}:${{{account}}}:*"),
                )),
            },
            Service::CloudTrail => NewStatement {
                sid: "AllowCloudTrailToEncryptLogs",
                principal_kind: "Service",
                principal: "cloudtrail.amazonaws.com".into(),
                actions: &["kms:GenerateDataKey*", "kms:DescribeKey"],
                condition: Some((
                    "StringLike",
                    "kms:EncryptionContext:aws:cloudtrail:arn",
                    format!("arn:aws:cloudtrail:*:${{{account}}}:trail/*"),
                )),
            },
            Service::Sns => NewStatement {
                sid: "AllowSNSUseOfTheKey",
                principal_kind: "Service",
                principal: "sns.amazonaws.com".into(),
                actions: &["kms:GenerateDataKey*", "kms:Decrypt"],
                condition: None,
            },
            Service::Sqs => NewStatement {
                sid: "AllowSQSUseOfTheKey",
                principal_kind: "Service",
                principal: "sqs.amazonaws.com".into(),
                actions: &["kms:GenerateDataKey*", "kms:Decrypt"],
                condition: None,
            },
        }
    }

    fn account_root(account: &str) -> NewStatement {
        NewStatement {
            sid: "EnableAccountPermissions",
            principal_kind: "AWS",
            principal: format!("arn:aws:iam::${{{account}}}:root"),
            actions: &["kms:*"],
            condition: None,
        }
    }

    fn hcl(&self) -> String {
        let actions: Vec<String> = self
            .actions
            .iter()
            .map(|a| format!("    \"{a}\""))
            .collect();
        let mut s = format!(
            "{{\n  Sid    = \"{}\"\n  Effect = \"Allow\"\n  Principal = {{\n    {} = \"{}\"\n  }}\n  Action = [\n{}\n  ]\n  Resource = \"*\"\n",
            self.sid,
            self.principal_kind,
            self.principal,
            actions.join(",\n")
        );
        if let Some((op, key, value)) = &self.condition {
            s.push_str(&format!(
                "  Condition = {{\n    {op} = {{\n      \"{key}\" = \"{value}\"\n    }}\n  }}\n"
            ));
        }
        s.push('}');
        s
    }

    fn document(&self) -> String {
        let actions: Vec<String> = self.actions.iter().map(|a| format!("\"{a}\"")).collect();
        let mut s = format!(
            "statement {{\n  sid       = \"{}\"\n  effect    = \"Allow\"\n  actions   = [{}]\n  resources = [\"*\"]\n\n  principals {{\n    type        = \"{}\"\n    identifiers = [\"{}\"]\n  }}\n",
            self.sid,
            actions.join(", "),
            self.principal_kind,
            self.principal
        );
        if let Some((op, key, value)) = &self.condition {
            s.push_str(&format!(
                "\n  condition {{\n    test     = \"{op}\"\n    variable = \"{key}\"\n    values   = [\"{value}\"]\n  }}\n"
            ));
        }
        s.push('}');
        s
    }
}

fn fix(
    model: &Model<'_>,
    module: &Module<'_>,
    key: &BlockInfo<'_>,
    policies: &[&PolicyInfo],
    services: &[Service],
) -> Option<Fix> {
    let names: Vec<&str> = services.iter().map(|s| s.name()).collect();
    let title = format!(
        "Allow the {} service{} to use the key",
        names.join(" and "),
        if services.len() == 1 { "" } else { "s" }
    );
    // Only the CloudWatch Logs principal and condition name the region.
    let needs_region = services.contains(&Service::Logs);
    if policies.is_empty() {
        // Default policy: write one that keeps the account's access and adds the services.
        let path = model.path(key.file);
        let (region, account, mut edits) = region_and_account(model, module, path, needs_region);
        let statements: Vec<String> = std::iter::once(NewStatement::account_root(&account).hcl())
            .chain(
                services
                    .iter()
                    .map(|s| NewStatement::for_service(*s, &region, &account).hcl()),
            )
            .collect();
        let text = format!(
            "\npolicy = jsonencode({{\n  Version = \"2012-10-17\"\n  Statement = [\n{}\n  ]\n}})",
            indent_lines(&statements.join(",\n"), "    ")
        );
        edits.push(append_to_block(
            path,
            model.src(key.file),
            key.span.clone(),
            &text,
        )?);
        return Some(Fix::new(title, Applicability::Safe, edits));
    }
    let target = policies
        .iter()
        .rev()
        .find(|p| p.policy.form != PolicyForm::Heredoc && !p.policy.statements.is_empty())?;
    let last = target.policy.statements.last()?;
    let path = model.path(target.file);
    let src = model.src(target.file);
    let (region, account, mut edits) = region_and_account(model, module, path, needs_region);
    let indent = line_indent(src, last.span.start);
    let mut text = String::new();
    for service in services {
        let statement = NewStatement::for_service(*service, &region, &account);
        let (sep, body) = match target.policy.form {
            PolicyForm::Document => ("\n\n", statement.document()),
            _ => (",\n", statement.hcl()),
        };
        text.push_str(sep);
        text.push_str(&indent_lines(&body, indent));
    }
    edits.push(Edit::insert(path, last.span.end, text));
    Some(Fix::new(title, Applicability::Safe, edits))
}

#[cfg(test)]
mod tests {
    use crate::model::policy::action_matches;

    #[test]
    fn action_patterns_match_as_iam_matches_them() {
        assert!(action_matches("kms:*", "kms:Decrypt"));
        assert!(action_matches("*", "kms:Decrypt"));
        assert!(action_matches(
            "KMS:GenerateDataKey*",
            "kms:GenerateDataKey"
        ));
        assert!(action_matches("kms:Gen?rateDataKey", "kms:GenerateDataKey"));
        assert!(!action_matches("kms:Encrypt", "kms:Decrypt"));
        assert!(!action_matches(
            "kms:GenerateDataKeyWithoutPlaintext",
            "kms:GenerateDataKey"
        ));
        assert!(action_matches("k*s:*D*t", "kms:Decrypt"));
    }
}
