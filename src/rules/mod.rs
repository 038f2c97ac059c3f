//! The rule registry. Each rule lives in its own file, named after its id, whose `//!`
//! comment is its documentation (`tfreview rules ID` prints it; the exported review takes
//! its Root cause, Impact and References from it, and from the optional `## Error`
//! section the message Terraform or AWS prints).

use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::workspace::FileId;

mod acm_certificate_not_validatable;
mod alarm_actions_missing;
mod alarm_threshold_unit;
mod ami_id_hardcoded;
mod answer_extraction;
mod argument_deprecated;
mod argument_removed_in_provider;
mod argument_required_missing;
mod argument_unsupported;
mod argument_value_invalid;
mod arguments_conflicting;
mod attribute_written_as_block;
mod audit_role_not_read_only;
mod availability_zone_hardcoded;
mod backend_argument_unsupported;
mod backend_config_hardcoded;
mod backend_missing;
mod backend_s3_unencrypted;
mod backend_uses_variables;
mod block_count_exceeded;
mod block_duplicated;
mod block_labels_invalid;
mod block_unsupported;
mod block_written_as_attribute;
mod cloudtrail_log_group_arn_invalid;
mod conditional_type_mismatch;
mod config_recorder_ordering;
mod config_rule_identifier_unknown;
mod cross_region_reference;
mod dashboard_metric_invalid;
mod data_source_type_unknown;
mod database_name_invalid;
mod db_password_invalid_characters;
mod declaration_unused;
mod deletion_protection_enabled;
mod dynamic_meta_argument;
mod ecr_image_not_pushed;
mod engine_version_unavailable;
mod environment_value_hardcoded;
mod execution_role_permissions_missing;
mod external_resource_required;
mod file_unreadable;
mod final_snapshot_required;
mod firehose_buffer_too_small;
mod format_differs;
mod hardcoded_account_id;
mod hcl_syntax_error;
mod health_check_fqdn_url;
mod http_not_redirected;
mod iam_managed_policy_unknown;
mod iam_policy_wildcard;
mod ideal_block_differs;
mod ideal_block_extra;
mod ideal_block_missing;
mod identifier_wildcard;
mod instance_user_data_base64;
mod internet_route_missing;
mod kms_deletion_window_too_long;
mod kms_key_policy_dependency_missing;
mod kms_key_policy_missing_service_principal;
mod kms_key_rotation_disabled;
mod kms_replica_key_permission_missing;
mod lambda_invoke_permission_missing;
mod lambda_package_missing;
mod lambda_reserved_concurrency;
mod lambda_reserved_environment_variable;
mod lambda_runtime_deprecated;
mod lambda_source_hash_missing;
mod lambda_vpc_permissions_missing;
mod launch_template_user_data_plain;
mod log_bucket_policy_missing;
mod log_filter_pattern_invalid;
mod log_group_kms_missing;
mod log_group_name_inconsistent;
mod log_group_retention_missing;
mod metric_dimension_wrong_attribute;
mod mfa_condition_missing;
mod module_source_missing;
mod name_characters_invalid;
mod name_duplicated;
mod name_random_characters;
mod name_too_long;
mod nat_gateway_per_zone;
mod nat_gateway_unrouted;
mod object_key_duplicated;
mod organizations_management_account;
mod output_description_missing;
mod placeholder_value;
mod policy_condition_contradicts_intent;
mod prevent_destroy_enabled;
mod provider_alias_undefined;
mod provider_block_invalid;
mod provider_block_misplaced;
mod provider_configuration_missing;
mod provider_duplicated;
mod provider_version_unbounded;
mod queue_policy_missing;
mod queue_topic_encryption_missing;
mod rds_replica_kms_key_missing;
mod reference_attribute_unknown;
mod reference_cycle;
mod reference_invalid;
mod reference_undeclared;
mod replication_versioning_missing;
mod required_provider_missing;
mod required_variable_missing;
mod resource_name_missing_suffix;
mod resource_type_unknown;
mod resource_unattached;
mod role_trust_service_missing;
mod s3_acl_disabled;
mod s3_action_resource_mismatch;
mod s3_encryption_missing;
mod s3_lifecycle_rule_missing_filter;
mod s3_lifecycle_transition_invalid;
mod s3_public_access_block_missing;
mod s3_replication_delete_marker_missing;
mod schema_fixes;
mod secret_hardcoded;
mod security_group_name_reserved_prefix;
mod security_group_open_egress;
mod security_group_open_ingress;
mod security_group_rule_duplicated;
mod self_reference_outside_provisioner;
mod service_role_permission_missing;
mod settings_incompatible;
mod slice_out_of_range;
mod snapshot_restore_missing;
mod sns_topic_managed_key_unpublishable;
mod storage_encryption_missing;
mod subnet_egress_missing;
mod suppression_invalid;
mod template_file_missing;
mod template_variable_missing;
mod us_east_1_required;
mod value_changes_every_plan;
mod variable_undeclared;
mod vpc_flow_logs_missing;
mod waf_log_destination_name_invalid;

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
            also: Vec::new(),
            valid_names: Vec::new(),
            related: Vec::new(),
            asset_places: Vec::new(),
            fingerprint_cache: std::sync::OnceLock::new(),
        }
    }
}

/// The findings of one kind of provider-schema problem, as the four schema rules report
/// them: `describe` gives a problem's title and the opening of its message; the provider
/// version checked and the closest valid names follow (for an argument or a block, the
/// names valid there when none is close).
pub(crate) fn schema_findings(
    rule: &dyn Rule,
    model: &Model<'_>,
    kind: crate::model::schema::check::ProblemKind,
    describe: impl Fn(&crate::model::schema::check::Problem) -> (String, String),
    key: impl Fn(&crate::model::schema::check::Problem) -> String,
    fix: impl Fn(&crate::model::schema::check::Problem) -> Option<crate::finding::Fix>,
    out: &mut Vec<Finding>,
) {
    let mut keys = OccurrenceKeys::default();
    for p in crate::model::schema::check::problems(model)
        .iter()
        .filter(|p| p.kind == kind)
    {
        let (title, opening) = describe(p);
        let mut message = format!("{opening}: {}", p.version_note());
        if !p.detail.is_empty() {
            message.push_str("; ");
            message.push_str(&p.detail);
        }
        use crate::model::schema::check::ProblemKind as K;
        if matches!(
            kind,
            K::ArgumentUnsupported | K::BlockUnsupported | K::ReferenceAttributeUnknown
        ) {
            argument_unsupported::push_suggestion(&mut message, p);
        } else {
            let hint = p.did_you_mean();
            if !hint.is_empty() {
                message.push_str("; ");
                message.push_str(&hint);
            }
        }
        if let Some(source) = p.source {
            message.push_str(&format!(" ({source})"));
        }
        let mut f = rule.finding(p.file, p.span.clone(), title, message);
        f.address = Some(p.address.clone());
        f.key = keys.key(key(p));
        f.fix = fix(p);
        // Where the name itself is wrong or missing, what the block does take.
        if matches!(
            kind,
            K::ArgumentUnsupported
                | K::BlockUnsupported
                | K::ArgumentRemovedInProvider
                | K::ArgumentRequiredMissing
                | K::ReferenceAttributeUnknown
        ) {
            f.valid_names = p.valid.clone();
        }
        out.push(f);
    }
}

/// The rules that check code against the bundled provider schemas (and the curated
/// table): with all of them disabled no schema is loaded.
pub const SCHEMA_RULES: &[&str] = &[
    "resource-type-unknown",
    "data-source-type-unknown",
    "argument-unsupported",
    "argument-removed-in-provider",
    "block-unsupported",
    "attribute-written-as-block",
    "block-written-as-attribute",
    "block-count-exceeded",
    "argument-required-missing",
    "reference-attribute-unknown",
    "argument-deprecated",
    "argument-value-invalid",
];

static RULES: &[&dyn Rule] = &[
    &hcl_syntax_error::HclSyntaxError,
    &file_unreadable::FileUnreadable,
    &object_key_duplicated::ObjectKeyDuplicated,
    &provider_alias_undefined::ProviderAliasUndefined,
    &variable_undeclared::VariableUndeclared,
    &waf_log_destination_name_invalid::WafLogDestinationNameInvalid,
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
    &backend_argument_unsupported::BackendArgumentUnsupported,
    &backend_config_hardcoded::BackendConfigHardcoded,
    &backend_uses_variables::BackendUsesVariables,
    &provider_duplicated::ProviderDuplicated,
    &block_duplicated::BlockDuplicated,
    &value_changes_every_plan::ValueChangesEveryPlan,
    &reference_cycle::ReferenceCycle,
    &service_role_permission_missing::ServiceRolePermissionMissing,
    &role_trust_service_missing::RoleTrustServiceMissing,
    &dashboard_metric_invalid::DashboardMetricInvalid,
    &metric_dimension_wrong_attribute::MetricDimensionWrongAttribute,
    &required_provider_missing::RequiredProviderMissing,
    &module_source_missing::ModuleSourceMissing,
    &reference_undeclared::ReferenceUndeclared,
    &reference_invalid::ReferenceInvalid,
    &replication_versioning_missing::ReplicationVersioningMissing,
    &conditional_type_mismatch::ConditionalTypeMismatch,
    &config_rule_identifier_unknown::ConfigRuleIdentifierUnknown,
    &cross_region_reference::CrossRegionReference,
    &slice_out_of_range::SliceOutOfRange,
    &snapshot_restore_missing::SnapshotRestoreMissing,
    &sns_topic_managed_key_unpublishable::SnsTopicManagedKeyUnpublishable,
    &resource_type_unknown::ResourceTypeUnknown,
    &resource_unattached::ResourceUnattached,
    &data_source_type_unknown::DataSourceTypeUnknown,
    &argument_unsupported::ArgumentUnsupported,
    &argument_removed_in_provider::ArgumentRemovedInProvider,
    &block_unsupported::BlockUnsupported,
    &attribute_written_as_block::AttributeWrittenAsBlock,
    &block_written_as_attribute::BlockWrittenAsAttribute,
    &block_count_exceeded::BlockCountExceeded,
    &block_labels_invalid::BlockLabelsInvalid,
    &argument_required_missing::ArgumentRequiredMissing,
    &reference_attribute_unknown::ReferenceAttributeUnknown,
    &argument_deprecated::ArgumentDeprecated,
    &argument_value_invalid::ArgumentValueInvalid,
    &dynamic_meta_argument::DynamicMetaArgument,
    &self_reference_outside_provisioner::SelfReferenceOutsideProvisioner,
    &s3_lifecycle_rule_missing_filter::S3LifecycleRuleMissingFilter,
    &s3_lifecycle_transition_invalid::S3LifecycleTransitionInvalid,
    &s3_replication_delete_marker_missing::S3ReplicationDeleteMarkerMissing,
    &s3_acl_disabled::S3AclDisabled,
    &s3_action_resource_mismatch::S3ActionResourceMismatch,
    &lambda_invoke_permission_missing::LambdaInvokePermissionMissing,
    &lambda_package_missing::LambdaPackageMissing,
    &template_file_missing::TemplateFileMissing,
    &template_variable_missing::TemplateVariableMissing,
    &us_east_1_required::UsEast1Required,
    &firehose_buffer_too_small::FirehoseBufferTooSmall,
    &health_check_fqdn_url::HealthCheckFqdnUrl,
    &settings_incompatible::SettingsIncompatible,
    &log_bucket_policy_missing::LogBucketPolicyMissing,
    &lambda_reserved_environment_variable::LambdaReservedEnvironmentVariable,
    &lambda_runtime_deprecated::LambdaRuntimeDeprecated,
    &lambda_source_hash_missing::LambdaSourceHashMissing,
    &launch_template_user_data_plain::LaunchTemplateUserDataPlain,
    &instance_user_data_base64::InstanceUserDataBase64,
    &lambda_reserved_concurrency::LambdaReservedConcurrency,
    &lambda_vpc_permissions_missing::LambdaVpcPermissionsMissing,
    &name_too_long::NameTooLong,
    &name_random_characters::NameRandomCharacters,
    &name_characters_invalid::NameCharactersInvalid,
    &name_duplicated::NameDuplicated,
    &nat_gateway_unrouted::NatGatewayUnrouted,
    &nat_gateway_per_zone::NatGatewayPerZone,
    &security_group_name_reserved_prefix::SecurityGroupNameReservedPrefix,
    &database_name_invalid::DatabaseNameInvalid,
    &db_password_invalid_characters::DbPasswordInvalidCharacters,
    &ecr_image_not_pushed::EcrImageNotPushed,
    &iam_managed_policy_unknown::IamManagedPolicyUnknown,
    &acm_certificate_not_validatable::AcmCertificateNotValidatable,
    &alarm_actions_missing::AlarmActionsMissing,
    &alarm_threshold_unit::AlarmThresholdUnit,
    &ami_id_hardcoded::AmiIdHardcoded,
    &availability_zone_hardcoded::AvailabilityZoneHardcoded,
    &engine_version_unavailable::EngineVersionUnavailable,
    &arguments_conflicting::ArgumentsConflicting,
    &iam_policy_wildcard::IamPolicyWildcard,
    &identifier_wildcard::IdentifierWildcard,
    &security_group_open_ingress::SecurityGroupOpenIngress,
    &security_group_open_egress::SecurityGroupOpenEgress,
    &security_group_rule_duplicated::SecurityGroupRuleDuplicated,
    &secret_hardcoded::SecretHardcoded,
    &hardcoded_account_id::HardcodedAccountId,
    &placeholder_value::PlaceholderValue,
    &log_group_retention_missing::LogGroupRetentionMissing,
    &log_filter_pattern_invalid::LogFilterPatternInvalid,
    &log_group_kms_missing::LogGroupKmsMissing,
    &kms_key_rotation_disabled::KmsKeyRotationDisabled,
    &kms_replica_key_permission_missing::KmsReplicaKeyPermissionMissing,
    &vpc_flow_logs_missing::VpcFlowLogsMissing,
    &s3_public_access_block_missing::S3PublicAccessBlockMissing,
    &s3_encryption_missing::S3EncryptionMissing,
    &queue_policy_missing::QueuePolicyMissing,
    &queue_topic_encryption_missing::QueueTopicEncryptionMissing,
    &subnet_egress_missing::SubnetEgressMissing,
    &storage_encryption_missing::StorageEncryptionMissing,
    &http_not_redirected::HttpNotRedirected,
    &internet_route_missing::InternetRouteMissing,
    &config_recorder_ordering::ConfigRecorderOrdering,
    &cloudtrail_log_group_arn_invalid::CloudtrailLogGroupArnInvalid,
    &output_description_missing::OutputDescriptionMissing,
    &mfa_condition_missing::MfaConditionMissing,
    &audit_role_not_read_only::AuditRoleNotReadOnly,
    &resource_name_missing_suffix::ResourceNameMissingSuffix,
    &provider_block_misplaced::ProviderBlockMisplaced,
    &provider_block_invalid::ProviderBlockInvalid,
    &prevent_destroy_enabled::PreventDestroyEnabled,
    &rds_replica_kms_key_missing::RdsReplicaKmsKeyMissing,
    &deletion_protection_enabled::DeletionProtectionEnabled,
    &final_snapshot_required::FinalSnapshotRequired,
    &kms_deletion_window_too_long::KmsDeletionWindowTooLong,
    &required_variable_missing::RequiredVariableMissing,
    &execution_role_permissions_missing::ExecutionRolePermissionsMissing,
    &external_resource_required::ExternalResourceRequired,
    &backend_missing::BackendMissing,
    &suppression_invalid::SuppressionInvalid,
    &environment_value_hardcoded::EnvironmentValueHardcoded,
    &format_differs::FormatDiffers,
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

/// The message Terraform or AWS prints for what a rule reports, from the optional
/// `## Error` section of its documentation: the lines of the section's code block, and
/// the words before the block that say when it is printed (empty when always).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError {
    pub when: String,
    pub lines: Vec<String>,
}

/// The `## Error` section of a rule's documentation, when it has a code block.
pub fn doc_error(id: &str) -> Option<DocError> {
    let section = doc_section(id, "Error")?;
    let mut when: Vec<&str> = Vec::new();
    let mut lines = Vec::new();
    let mut fence: Option<&str> = None;
    for line in section.lines() {
        let trimmed = line.trim();
        match fence {
            Some(open) if trimmed == open => break,
            Some(_) => lines.push(line.to_string()),
            None if trimmed.starts_with("```") => {
                let run = trimmed.len() - trimmed.trim_start_matches('`').len();
                fence = Some(&trimmed[..run]);
            }
            None if !trimmed.is_empty() => when.push(trimmed),
            None => {}
        }
    }
    (!lines.is_empty()).then(|| DocError {
        when: when.join(" "),
        lines,
    })
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

/// `queue` → `Queue`: the first letter of a title.
pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Keys that stay the same when a block is edited: `base` for the first finding with that
/// base in a block, `base#2`, `base#3`… for the next ones (never byte offsets, which move).
#[derive(Default)]
pub struct OccurrenceKeys(std::collections::HashMap<String, usize>);

impl OccurrenceKeys {
    pub fn key(&mut self, base: String) -> String {
        let n = self.0.entry(base.clone()).or_default();
        *n += 1;
        if *n == 1 { base } else { format!("{base}#{n}") }
    }
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
