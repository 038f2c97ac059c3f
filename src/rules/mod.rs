//! The rule registry. Each rule lives in its own file, named after its id, whose `//!`
//! comment is its documentation (`tfreview rules ID` prints it; the exported review takes
//! its Root cause, Impact and References from it).

use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::workspace::FileId;

mod answer_extraction;
mod backend_s3_unencrypted;
mod declaration_unused;
mod file_unreadable;
mod hcl_syntax_error;
mod ideal_block_differs;
mod ideal_block_extra;
mod ideal_block_missing;
mod kms_key_policy_dependency_missing;
mod kms_key_policy_missing_service_principal;
mod log_group_name_inconsistent;
mod object_key_duplicated;
mod organizations_management_account;
mod policy_condition_contradicts_intent;
mod provider_alias_undefined;
mod provider_configuration_missing;
mod provider_version_unbounded;
mod variable_undeclared;

include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));

/// What kind of problem a rule reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Terraform or AWS would reject the code, or the deployment would fail.
    Error,
    /// The code deploys, but grants or exposes more than it should.
    Security,
    /// The code deploys, but fails later, loses data or cannot be operated well.
    Reliability,
    /// Convention and hygiene: nothing fails.
    Practice,
    /// A convention of the task's contract (a profile) or its ideal answer.
    Contract,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Error => "error",
            Class::Security => "security",
            Class::Reliability => "reliability",
            Class::Practice => "practice",
            Class::Contract => "contract",
        }
    }
}

/// Profiles: named sets of rules that are off unless chosen. `contract` is on by default
/// in task folders.
pub const PROFILES: &[&str] = &[CONTRACT];
pub const CONTRACT: &str = "contract";

/// A check over the model. Rules are pure: no IO, no clock.
pub trait Rule: Sync {
    /// Kebab-case, stable forever; the rule's file is named after it.
    fn id(&self) -> &'static str;
    fn severity(&self) -> Severity;
    fn class(&self) -> Class;
    /// The profile the rule belongs to; `None` for the core rules, which are always on.
    fn profile(&self) -> Option<&'static str> {
        None
    }
    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>);

    /// A finding of this rule at its default severity.
    fn finding(
        &self,
        file: FileId,
        span: std::ops::Range<usize>,
        title: String,
        message: String,
    ) -> Finding {
        Finding {
            rule: self.id(),
            severity: self.severity(),
            title,
            message,
            file,
            span,
            address: None,
            key: String::new(),
            fix: None,
            ideal: None,
        }
    }
}

static RULES: &[&dyn Rule] = &[
    &hcl_syntax_error::HclSyntaxError,
    &file_unreadable::FileUnreadable,
    &object_key_duplicated::ObjectKeyDuplicated,
    &provider_alias_undefined::ProviderAliasUndefined,
    &variable_undeclared::VariableUndeclared,
    &declaration_unused::DeclarationUnused,
    &provider_configuration_missing::ProviderConfigurationMissing,
    &provider_version_unbounded::ProviderVersionUnbounded,
    &backend_s3_unencrypted::BackendS3Unencrypted,
    &organizations_management_account::OrganizationsManagementAccount,
    &policy_condition_contradicts_intent::PolicyConditionContradictsIntent,
    &kms_key_policy_missing_service_principal::KmsKeyPolicyMissingServicePrincipal,
    &kms_key_policy_dependency_missing::KmsKeyPolicyDependencyMissing,
    &log_group_name_inconsistent::LogGroupNameInconsistent,
    &answer_extraction::AnswerExtraction,
    &ideal_block_missing::IdealBlockMissing,
    &ideal_block_extra::IdealBlockExtra,
    &ideal_block_differs::IdealBlockDiffers,
];

pub fn all() -> &'static [&'static dyn Rule] {
    RULES
}

pub fn find(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.id() == id)
}

/// The documentation of a rule: its file's `//!` comment.
pub fn doc(id: &str) -> Option<&'static str> {
    RULE_DOCS.iter().find(|(i, _)| *i == id).map(|(_, d)| *d)
}

/// The text of one `## Section` of a rule's documentation, trimmed.
pub fn doc_section(id: &str, section: &str) -> Option<String> {
    let doc = doc(id)?;
    let heading = format!("## {section}");
    let start = doc.lines().position(|l| l.trim() == heading)?;
    let text: Vec<&str> = doc
        .lines()
        .skip(start + 1)
        .take_while(|l| !l.starts_with("## "))
        .collect();
    let text = text.join("\n").trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// The rule's title: the `# ` line that opens its documentation.
pub fn title(id: &str) -> String {
    doc(id)
        .and_then(|d| d.lines().next())
        .and_then(|l| l.strip_prefix("# "))
        .unwrap_or(id)
        .to_string()
}

/// The first sentence of "What it does": the one-line summary in `tfreview rules`.
pub fn summary(id: &str) -> String {
    doc_section(id, "What it does")
        .map(|s| {
            let first = s.split("\n\n").next().unwrap_or("").replace('\n', " ");
            match first.find(". ") {
                Some(i) => first[..=i].to_string(),
                None => first,
            }
        })
        .unwrap_or_default()
}

/// Sections every rule's documentation has.
pub const DOC_SECTIONS: &[&str] = &[
    "What it does",
    "Why is this bad?",
    "Example",
    "Fix safety",
    "Root cause",
    "Impact",
    "References",
];
