//! `.tfreview.toml`: which rules run and how severe they are, which profiles are on, the
//! task contract's values, and paths to leave out. Every key is checked: an unknown key,
//! rule id, profile or severity is an error that names its line.
//!
//! ```toml
//! profiles = ["contract"]            # default: ["contract"] in task folders, else []
//! ignore = ["vendor/**"]             # gitignore-style, relative to the workspace
//!
//! [rules]
//! enable = ["output-description-missing"]
//! disable = ["declaration-unused"]
//! severity = { iam-policy-wildcard = "critical" }
//!
//! [contract]
//! suffix-variable = "environment_suffix"
//! provider-file = "provider.tf"
//! required-variables = ["environment_suffix", "repository", "team"]
//! kms-deletion-window = 7
//! suffix-length = 14
//!
//! [workbench]
//! advance = true                     # a decision moves on to the next pending finding
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::finding::Severity;
use crate::rules::{self, Rule};

/// The file a workspace's configuration is read from.
pub const FILE_NAME: &str = ".tfreview.toml";

/// The values of the task contract's rules.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Contract {
    /// The variable every name must interpolate.
    pub suffix_variable: String,
    /// The file that holds the `terraform`, `provider` and `backend` blocks.
    pub provider_file: String,
    /// Variables the root module must declare (tag variables, the suffix).
    pub required_variables: Vec<String>,
    /// The KMS key deletion window, in days, that keeps keys destroyable.
    pub kms_deletion_window: u32,
    /// How long the suffix the pipeline passes is (`synth101912382` is 14): name length
    /// limits are checked with a suffix this long when the contract is on.
    pub suffix_length: usize,
}

impl Default for Contract {
    fn default() -> Contract {
        Contract {
            suffix_variable: "environment_suffix".into(),
            provider_file: "provider.tf".into(),
            required_variables: vec!["environment_suffix".into()],
            kms_deletion_window: 7,
            suffix_length: 14,
        }
    }
}

/// How the workbench behaves.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Workbench {
    /// Accepting, rejecting or annotating moves on to the next pending finding.
    pub advance: bool,
}

impl Default for Workbench {
    fn default() -> Workbench {
        Workbench { advance: true }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    profiles: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    contract: Contract,
    #[serde(default)]
    workbench: Workbench,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    enable: Vec<Spanned<String>>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// A workspace's configuration. The default is what a workspace without
/// `.tfreview.toml` gets.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The profiles chosen; `None` leaves the default (contract on in task folders).
    pub profiles: Option<Vec<String>>,
    pub enable: Vec<String>,
    pub disable: Vec<String>,
    pub severity: HashMap<String, Severity>,
    pub contract: Contract,
    pub workbench: Workbench,
    ignore_matcher: Option<ignore::gitignore::Gitignore>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{} {problem}", path.display())]
    Read {
        path: PathBuf,
        problem: crate::io::ReadError,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

impl Config {
    /// `root/.tfreview.toml` when it exists, else the default.
    pub fn discover(root: &Path) -> Result<Config, ConfigError> {
        let path = root.join(FILE_NAME);
        match crate::io::read_text_if_exists(&path, crate::io::MAX_CONFIG_BYTES) {
            Ok(Some(text)) => Config::parse(&text, &path),
            Ok(None) => Ok(Config::default()),
            Err(problem) => Err(ConfigError::Read { path, problem }),
        }
    }

    /// `explicit` if given, else what [`Config::discover`] finds.
    pub fn resolve(root: &Path, explicit: Option<&Path>) -> Result<Config, ConfigError> {
        match explicit {
            Some(path) => Config::load(path),
            None => Config::discover(root),
        }
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = crate::io::read_text(path, crate::io::MAX_CONFIG_BYTES).map_err(|problem| {
            ConfigError::Read {
                path: path.to_path_buf(),
                problem,
            }
        })?;
        Config::parse(&text, path)
    }

    /// Parses the text of a configuration file; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |offset: usize, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: line_of(text, offset),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            invalid(offset, e.message().trim().to_string())
        })?;
        let rule_id = |id: &Spanned<String>| -> Result<String, ConfigError> {
            match rules::find(id.get_ref()) {
                Some(rule) => Ok(rule.id().to_string()),
                None => Err(invalid(
                    id.span().start,
                    format!(
                        "unknown rule `{}` (`tfreview rules` lists them)",
                        id.get_ref()
                    ),
                )),
            }
        };
        for (key, value, range) in [
            (
                "kms-deletion-window",
                u64::from(raw.contract.kms_deletion_window),
                KMS_DELETION_WINDOW,
            ),
            (
                "suffix-length",
                raw.contract.suffix_length as u64,
                SUFFIX_LENGTH,
            ),
        ] {
            if !range.contains(&value) {
                return Err(invalid(
                    key_offset(text, key),
                    format!(
                        "`{key}` is {value}; it must be between {} and {}",
                        range.start(),
                        range.end()
                    ),
                ));
            }
        }
        if let Some(extra) = raw.ignore.get(MAX_IGNORE_PATTERNS) {
            return Err(invalid(
                extra.span().start,
                format!("more than {MAX_IGNORE_PATTERNS} `ignore` patterns"),
            ));
        }
        let mut config = Config {
            contract: raw.contract,
            workbench: raw.workbench,
            ..Config::default()
        };
        if let Some(profiles) = raw.profiles {
            let mut chosen = Vec::new();
            for p in profiles {
                if !rules::PROFILES.contains(&p.get_ref().as_str()) {
                    return Err(invalid(
                        p.span().start,
                        format!(
                            "unknown profile `{}` (profiles: {})",
                            p.get_ref(),
                            rules::PROFILES.join(", ")
                        ),
                    ));
                }
                chosen.push(p.into_inner());
            }
            config.profiles = Some(chosen);
        }
        for id in &raw.rules.enable {
            config.enable.push(rule_id(id)?);
        }
        for id in &raw.rules.disable {
            config.disable.push(rule_id(id)?);
        }
        for (id, severity) in &raw.rules.severity {
            let id = rule_id(id)?;
            let level = severity
                .get_ref()
                .parse::<Severity>()
                .map_err(|e| invalid(severity.span().start, e))?;
            config.severity.insert(id, level);
        }
        if !raw.ignore.is_empty() {
            let root = path.parent().unwrap_or(Path::new(""));
            let mut builder = ignore::gitignore::GitignoreBuilder::new(root);
            for pattern in &raw.ignore {
                builder
                    .add_line(None, pattern.get_ref())
                    .map_err(|e| invalid(pattern.span().start, e.to_string()))?;
            }
            let matcher = builder
                .build()
                .map_err(|e| invalid(raw.ignore[0].span().start, e.to_string()))?;
            config.ignore_matcher = Some(matcher);
        }
        Ok(config)
    }

    /// Whether `rule` runs; `task` says whether the workspace is a task folder.
    pub fn enabled(&self, rule: &dyn Rule, task: bool) -> bool {
        let id = rule.id();
        if self.disable.iter().any(|d| d == id) {
            return false;
        }
        if self.enable.iter().any(|e| e == id) {
            return true;
        }
        match rule.profile() {
            None => true,
            Some(profile) => self.profile_on(profile, task),
        }
    }

    /// Whether `profile` is on; `task` says whether the workspace is a task folder.
    pub fn profile_on(&self, profile: &str, task: bool) -> bool {
        match &self.profiles {
            Some(chosen) => chosen.iter().any(|p| p == profile),
            None => task && profile == rules::CONTRACT,
        }
    }

    /// Whether the workspace-relative `path` is ignored.
    pub fn ignores(&self, path: &str) -> bool {
        self.ignore_matcher.as_ref().is_some_and(|m| {
            m.matched_path_or_any_parents(Path::new(path), false)
                .is_ignore()
        })
    }
}

/// The days AWS accepts for a KMS key's deletion window.
const KMS_DELETION_WINDOW: std::ops::RangeInclusive<u64> = 7..=30;
/// A suffix longer than this leaves no room in any AWS name.
const SUFFIX_LENGTH: std::ops::RangeInclusive<u64> = 0..=64;
/// More `ignore` patterns than this are refused (they cost memory and time for nothing).
const MAX_IGNORE_PATTERNS: usize = 1_000;

/// Where `key = …` is written in the text (0 when it is not found).
fn key_offset(text: &str, key: &str) -> usize {
    text.match_indices(key)
        .find(|(i, _)| {
            text[i + key.len()..].trim_start().starts_with('=')
                && text[..*i].ends_with(|c: char| c.is_whitespace() || c == '{' || c == ',')
        })
        .map_or(0, |(i, _)| i)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(0, |t| t.matches('\n').count())
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new(".tfreview.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn a_full_configuration_is_read() {
        let c = parse(
            "profiles = [\"contract\"]\nignore = [\"vendor/**\"]\n\n[rules]\nenable = [\"declaration-unused\"]\ndisable = [\"provider-version-unbounded\"]\nseverity = { variable-undeclared = \"critical\" }\n\n[contract]\nsuffix-variable = \"suffix\"\nrequired-variables = [\"team\"]\n",
        )
        .unwrap();
        assert_eq!(c.profiles, Some(vec!["contract".to_string()]));
        assert_eq!(c.contract.suffix_variable, "suffix");
        assert_eq!(c.contract.provider_file, "provider.tf");
        assert_eq!(c.contract.required_variables, vec!["team".to_string()]);
        assert_eq!(c.severity["variable-undeclared"], Severity::Critical);
        assert!(c.ignores("vendor/x/main.tf"));
        assert!(!c.ignores("main.tf"));
        let unused = rules::find("declaration-unused").unwrap();
        let unbounded = rules::find("provider-version-unbounded").unwrap();
        assert!(c.enabled(unused, false));
        assert!(!c.enabled(unbounded, false));
    }

    #[test]
    fn unknown_keys_ids_profiles_and_severities_name_their_line() {
        assert_eq!(
            parse("[rules]\ndisable = [\"declaration-unused\"]\nenabled = []\n").unwrap_err(),
            ".tfreview.toml:3: unknown field `enabled`, expected one of `enable`, `disable`, `severity`"
        );
        assert_eq!(
            parse("[rules]\n\ndisable = [\n  \"no-such-rule\",\n]\n").unwrap_err(),
            ".tfreview.toml:4: unknown rule `no-such-rule` (`tfreview rules` lists them)"
        );
        assert_eq!(
            parse("profiles = [\"strict\"]\n").unwrap_err(),
            ".tfreview.toml:1: unknown profile `strict` (profiles: contract)"
        );
        assert_eq!(
            parse("[rules.severity]\nvariable-undeclared = \"fatal\"\n").unwrap_err(),
            ".tfreview.toml:2: unknown severity `fatal`"
        );
        assert_eq!(
            parse("[contract]\nsuffix = \"x\"\n")
                .unwrap_err()
                .lines()
                .next()
                .unwrap(),
            ".tfreview.toml:2: unknown field `suffix`, expected one of `suffix-variable`, `provider-file`, `required-variables`, `kms-deletion-window`, `suffix-length`"
        );
        assert!(
            parse("[rules\n")
                .unwrap_err()
                .starts_with(".tfreview.toml:1: ")
        );
    }

    #[test]
    fn contract_values_out_of_range_and_too_many_patterns_are_refused() {
        assert_eq!(
            parse("[contract]\nsuffix-length = 18446744073709551615\n").unwrap_err(),
            ".tfreview.toml:2: `suffix-length` is 18446744073709551615; it must be between 0 and 64"
        );
        assert_eq!(
            parse("\n[contract]\nkms-deletion-window = 0\n").unwrap_err(),
            ".tfreview.toml:3: `kms-deletion-window` is 0; it must be between 7 and 30"
        );
        assert!(parse("[contract]\nkms-deletion-window = 30\nsuffix-length = 0\n").is_ok());
        let many: Vec<String> = (0..1_001).map(|i| format!("\"p{i}\"")).collect();
        let text = format!("ignore = [\n{}\n]\n", many.join(",\n"));
        assert_eq!(
            parse(&text).unwrap_err(),
            ".tfreview.toml:1002: more than 1000 `ignore` patterns"
        );
    }
}
