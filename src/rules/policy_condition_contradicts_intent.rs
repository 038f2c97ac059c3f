//! # Policy conditions that do not test what they say
//!
//! ## What it does
//! Reports a policy statement whose Sid (or, for a single-statement policy, the policy's
//! description) says what it restricts — business hours, MFA, source IP or VPC, region —
//! while its condition keys test something else: a "business hours" statement that tests
//! `aws:RequestedRegion` instead of `aws:CurrentTime` or `aws:EpochTime`.
//!
//! ## Why is this bad?
//! The statement looks right in review and in the policy's name, but enforces a different
//! rule than the one it claims. The stated control (time-based access, MFA, network
//! origin) is simply not in place.
//!
//! ## Example
//! ```hcl
//! {
//!   Sid      = "DenySensitiveOperationsOutsideBusinessHours"
//!   Effect   = "Deny"
//!   Action   = ["iam:DeleteRole", "kms:ScheduleKeyDeletion"]
//!   Resource = "*"
//!   Condition = {
//!     StringNotLike = { "aws:RequestedRegion" = "us-east-1" }
//!   }
//! }
//! ```
//! Use instead: for business hours, nothing inside IAM. `aws:CurrentTime` and
//! `aws:EpochTime` compare whole timestamps, so no condition expresses "every day from
//! 09:00 to 18:00"; a statement with fixed times denies for ever or never. Attach and
//! detach the deny policy on a schedule (EventBridge Scheduler and a Lambda function),
//! issue the role's credentials only during business hours through a broker with short
//! sessions, or detect instead of prevent (a CloudTrail-driven EventBridge rule that
//! alerts on the actions outside business hours). For MFA, test
//! `aws:MultiFactorAuthPresent`.
//!
//! ## Fix safety
//! Unsafe. For MFA intent the fix tests `aws:MultiFactorAuthPresent`. Time, network and
//! region intents get no automatic fix: IAM cannot express a daily window, and allowed
//! ranges cannot be guessed; the finding names the real options instead.
//!
//! ## Root cause
//! Condition keys of one kind were confused with another: regional restrictions (handled
//! by permission boundaries) were written where temporal restrictions were required.
//!
//! ## Impact
//! Security: the core requirement the statement names is not enforced; sensitive
//! operations are possible when the policy claims they are not, and audits that rely on
//! the statement's name are misled.
//!
//! ## References
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html

use super::{Class, Rule};
use crate::edits::{indent_lines, line_indent};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::model::policy::{PolicyForm, Statement};
use crate::model::{Model, Module, Owner, PolicyInfo};

pub struct PolicyConditionContradictsIntent;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Intent {
    Time,
    Mfa,
    Network,
    Region,
}

impl Intent {
    fn describe(self) -> &'static str {
        match self {
            Intent::Time => "business hours (time)",
            Intent::Mfa => "MFA",
            Intent::Network => "source IP / VPC",
            Intent::Region => "region",
        }
    }

    fn keys(self) -> &'static str {
        match self {
            Intent::Time => "`aws:CurrentTime` / `aws:EpochTime`",
            Intent::Mfa => "`aws:MultiFactorAuthPresent` / `aws:MultiFactorAuthAge`",
            Intent::Network => "`aws:SourceIp` / `aws:SourceVpc` / `aws:SourceVpce`",
            Intent::Region => "`aws:RequestedRegion`",
        }
    }
}

impl Rule for PolicyConditionContradictsIntent {
    fn id(&self) -> &'static str {
        "policy-condition-contradicts-intent"
    }

    fn severity(&self) -> Severity {
        Severity::Critical
    }

    fn class(&self) -> Class {
        Class::Security
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            for info in &module.policies {
                for (index, st) in info.policy.statements.iter().enumerate() {
                    let Some(text) = intent_text(module, info, st) else {
                        continue;
                    };
                    let intents = intents(&text);
                    if intents.is_empty() {
                        continue;
                    }
                    let tested: Vec<(Intent, &str)> = st
                        .conditions
                        .iter()
                        .filter_map(|c| key_intent(&c.key).map(|i| (i, c.key.as_str())))
                        .collect();
                    if tested.is_empty() || tested.iter().any(|(i, _)| intents.contains(i)) {
                        continue;
                    }
                    let intent = intents[0];
                    let keys: Vec<String> = tested.iter().map(|(_, k)| format!("`{k}`")).collect();
                    let tested_kind = tested[0].0.describe();
                    let owner = owner_address(module, info.owner);
                    let label = st
                        .sid
                        .as_ref()
                        .map_or_else(|| format!("statement {}", index + 1), |s| format!("`{s}`"));
                    let mut message = format!(
                        "{label} in `{owner}` is about {} but its condition tests {} ({tested_kind}); nothing restricts it by {}",
                        intent.describe(),
                        keys.join(", "),
                        intent.keys()
                    );
                    for local in unused_locals_testing(model, module, intent) {
                        message.push_str(&format!(
                            "; `local.{local}` holds a condition on {} but nothing uses it",
                            intent.keys()
                        ));
                    }
                    if intent == Intent::Time {
                        message.push_str(TIME_OPTIONS);
                    }
                    let mut f = self.finding(
                        info.file,
                        st.condition_span.clone().unwrap_or_else(|| st.span.clone()),
                        format!("Policy statement {label} does not test what it says"),
                        message,
                    );
                    f.address = Some(owner);
                    f.key = format!(
                        "{}:{}",
                        info.policy.attr,
                        st.sid.clone().unwrap_or_else(|| index.to_string())
                    );
                    f.fix = fix(model, info, st, intent);
                    out.push(f);
                }
            }
        }
    }
}

/// Locals that nothing references whose value tests one of the intent's keys: the
/// condition the author meant to use.
fn unused_locals_testing<'m>(
    model: &Model<'_>,
    module: &'m Module<'_>,
    intent: Intent,
) -> Vec<&'m str> {
    module
        .locals
        .iter()
        .enumerate()
        .filter(|(index, local)| {
            let text = model.src(local.file).get(local.span.clone()).unwrap_or("");
            let tests_intent = text.split('"').any(|word| key_intent(word) == Some(intent));
            let target = crate::model::expr::Target::Local(local.name.to_string());
            tests_intent
                && !module
                    .refs
                    .iter()
                    .any(|r| r.target == target && r.from != Owner::Local(*index))
        })
        .map(|(_, local)| local.name)
        .collect()
}

fn owner_address(module: &Module<'_>, owner: Owner) -> String {
    match owner {
        Owner::Block(i) => module
            .blocks
            .get(i)
            .map_or_else(String::new, |b| b.address.clone()),
        Owner::Local(i) => module
            .locals
            .get(i)
            .map_or_else(String::new, |l| format!("local.{}", l.name)),
    }
}

/// The words that state a statement's intent: its Sid, else (single statement) the
/// description or name of the block that holds the policy.
fn intent_text(module: &Module<'_>, info: &PolicyInfo, st: &Statement) -> Option<String> {
    if let Some(sid) = &st.sid {
        return Some(sid.clone());
    }
    if info.policy.statements.len() != 1 {
        return None;
    }
    let block = module.owner_block(info.owner)?;
    let text: Vec<String> = ["description", "name"]
        .iter()
        .filter_map(|a| block.attr(a))
        .filter_map(|a| crate::model::expr::static_str(&a.value))
        .collect();
    (!text.is_empty()).then(|| text.join(" "))
}

/// Lower-case words of an identifier or sentence: `DenyMFAOutsideHours` → deny, mfa,
/// outside, hours.
fn words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = if i > 0 {
            chars.get(i - 1).copied()
        } else {
            None
        };
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            Some(p) if c.is_uppercase() => {
                // `MFAFor` → MFA | For, but `IPs` stays one word.
                let plural =
                    next == Some('s') && chars.get(i + 2).is_none_or(|c| !c.is_lowercase());
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase) && !plural)
            }
            _ => false,
        };
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn intents(text: &str) -> Vec<Intent> {
    let w = words(text);
    let has = |x: &str| w.iter().any(|y| y == x);
    let mut out = Vec::new();
    let hours_phrase = has("hours")
        && [
            "business", "office", "working", "work", "outside", "after", "off", "non",
        ]
        .iter()
        .any(|x| has(x));
    let time_phrase = has("time")
        && ["based", "window", "restricted", "restriction", "of", "day"]
            .iter()
            .any(|x| has(x));
    if hours_phrase
        || time_phrase
        || [
            "businesshours",
            "afterhours",
            "offhours",
            "weekend",
            "weekends",
        ]
        .iter()
        .any(|x| has(x))
    {
        out.push(Intent::Time);
    }
    if has("mfa") || has("multifactor") || (has("multi") && has("factor")) {
        out.push(Intent::Mfa);
    }
    if ["ip", "ips", "sourceip", "vpc", "vpce", "cidr", "network"]
        .iter()
        .any(|x| has(x))
    {
        out.push(Intent::Network);
    }
    if has("region") || has("regions") || has("regional") {
        out.push(Intent::Region);
    }
    out
}

fn key_intent(key: &str) -> Option<Intent> {
    match key.to_ascii_lowercase().as_str() {
        "aws:currenttime" | "aws:epochtime" => Some(Intent::Time),
        "aws:multifactorauthpresent" | "aws:multifactorauthage" => Some(Intent::Mfa),
        "aws:sourceip" | "aws:sourcevpc" | "aws:sourcevpce" | "aws:vpcsourceip" => {
            Some(Intent::Network)
        }
        "aws:requestedregion" => Some(Intent::Region),
        _ => None,
    }
}

/// `(operator, key, value)` triples rendered as the policy's form writes conditions.
fn render_condition(form: PolicyForm, tests: &[(&str, &str, &str)]) -> String {
    match form {
        PolicyForm::Document => tests
            .iter()
            .map(|(op, key, value)| {
                format!(
                    "condition {{\n  test     = \"{op}\"\n  variable = \"{key}\"\n  values   = [\"{value}\"]\n}}"
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => {
            let mut s = String::from("Condition = {\n");
            for (op, key, value) in tests {
                s.push_str(&format!("  {op} = {{\n    \"{key}\" = \"{value}\"\n  }}\n"));
            }
            s.push('}');
            s
        }
    }
}

/// What a reviewer can do about "business hours": IAM cannot say it.
const TIME_OPTIONS: &str = ". IAM cannot express a recurring daily window: `aws:CurrentTime` and `aws:EpochTime` compare whole timestamps, so `DateGreaterThan`/`DateLessThan` with a fixed time allow or deny for ever, not every day. Real options: attach and detach the deny policy at opening and closing time with a schedule (EventBridge Scheduler and a Lambda function); issue the role's credentials only during business hours through a broker with short sessions; or detect instead of prevent, with a CloudTrail-driven EventBridge rule that alerts on these actions outside business hours";

fn fix(model: &Model<'_>, info: &PolicyInfo, st: &Statement, intent: Intent) -> Option<Fix> {
    if info.policy.form == PolicyForm::Heredoc {
        return None;
    }
    let cond = st.condition_span.clone()?;
    let src = model.src(info.file);
    let path = model.path(info.file);
    let cond_indent = line_indent(src, cond.start);
    let with_condition = |tests: &[(&str, &str, &str)]| -> Option<String> {
        let rendered = render_condition(info.policy.form, tests);
        let rendered = indent_lines(&rendered, cond_indent);
        let rendered = rendered
            .strip_prefix(cond_indent)
            .unwrap_or(&rendered)
            .to_string();
        Some(format!(
            "{}{rendered}{}",
            src.get(st.span.start..cond.start)?,
            src.get(cond.end..st.span.end)?
        ))
    };
    let (title, replacement) = match intent {
        // IAM has no time-of-day condition: a fix would pretend otherwise.
        Intent::Time => return None,
        Intent::Mfa if st.denies() => (
            "Deny when MFA is absent, on `aws:MultiFactorAuthPresent`",
            with_condition(&[("BoolIfExists", "aws:MultiFactorAuthPresent", "false")])?,
        ),
        Intent::Mfa => (
            "Allow only with MFA, on `aws:MultiFactorAuthPresent`",
            with_condition(&[("Bool", "aws:MultiFactorAuthPresent", "true")])?,
        ),
        Intent::Network | Intent::Region => return None,
    };
    Some(Fix::new(
        title,
        Applicability::Unsafe,
        vec![Edit::replace(path, st.span.clone(), replacement)],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_camel_case_and_acronyms() {
        assert_eq!(
            words("DenyMFAOutsideBusinessHours"),
            vec!["deny", "mfa", "outside", "business", "hours"]
        );
        assert_eq!(words("allow-from_VPC 2"), vec!["allow", "from", "vpc", "2"]);
    }

    #[test]
    fn intents_from_sids() {
        assert_eq!(
            intents("DenySensitiveOperationsOutsideBusinessHours"),
            vec![Intent::Time]
        );
        assert_eq!(intents("RequireMFAForDeletion"), vec![Intent::Mfa]);
        assert_eq!(intents("DenyOutsideAllowedRegions"), vec![Intent::Region]);
        assert_eq!(intents("AllowFromCorporateIPs"), vec![Intent::Network]);
        assert!(intents("AllowS3Read").is_empty());
        assert!(intents("AllowTimestreamWrite").is_empty());
    }
}
