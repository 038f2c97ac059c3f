//! The curated table (`curated.toml`): arguments the provider deprecates and values it
//! rejects, which the generated schemas do not record. Every entry names the provider
//! documentation it comes from.

use std::sync::OnceLock;

use hcl_edit::expr::Expression;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    #[serde(default)]
    deprecated: Vec<Deprecated>,
    #[serde(default)]
    value: Vec<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Deprecated {
    provider: String,
    #[serde(rename = "type")]
    ty: String,
    path: String,
    /// What replaces it.
    #[serde(rename = "use")]
    instead: String,
    #[serde(default)]
    majors: Vec<u64>,
    /// The entry is about a data source (`data.aws_region.x.name`), not a resource.
    #[serde(default)]
    data: bool,
    source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Value {
    provider: String,
    #[serde(rename = "type")]
    ty: String,
    path: String,
    #[serde(default)]
    allowed: Vec<String>,
    /// When set, `allowed` speaks only for values that start with it (the names AWS
    /// predefines under its own prefix); other values are the user's own names.
    #[serde(default)]
    prefix: String,
    min: Option<f64>,
    max: Option<f64>,
    /// Substrings that make a literal invalid, and why (`why` completes "`value` …").
    #[serde(default)]
    refused: Vec<String>,
    #[serde(default)]
    why: String,
    #[serde(default)]
    majors: Vec<u64>,
    source: String,
}

/// Why the entry rejects one literal item; `None` when it accepts it or it is not a
/// literal.
fn rejected(v: &Value, expr: &Expression) -> Option<String> {
    let literal = match expr {
        // An empty string is how a module leaves an optional argument unset.
        Expression::String(s) if s.as_str().is_empty() => return None,
        Expression::String(s) => s.as_str().to_string(),
        Expression::Number(n) => n.to_string(),
        _ => return None,
    };
    if !v.refused.is_empty() {
        return v
            .refused
            .iter()
            .any(|r| literal.contains(r.as_str()))
            .then(|| format!("`{literal}` {}", v.why));
    }
    if !v.allowed.is_empty() {
        if v.allowed.contains(&literal) || !literal.starts_with(v.prefix.as_str()) {
            return None;
        }
        let shown: Vec<String> = v.allowed.iter().map(|a| format!("`{a}`")).collect();
        return Some(format!("`{literal}` is not one of {}", shown.join(", ")));
    }
    let n: f64 = literal.trim().parse().ok()?;
    let low = v.min.is_some_and(|m| n < m);
    let high = v.max.is_some_and(|m| n > m);
    if !low && !high {
        return None;
    }
    let bound = |b: Option<f64>| b.map_or("…".to_string(), |b| b.to_string());
    Some(format!(
        "`{literal}` is outside the accepted range {} to {}",
        bound(v.min),
        bound(v.max)
    ))
}

/// Why an entry applies, and where that is documented.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub detail: String,
    pub source: &'static str,
}

const TABLE: &str = include_str!("curated.toml");

/// The table, parsed once; a table that does not parse is a bug caught by the tests, and
/// checks nothing.
fn table() -> &'static Table {
    static CELL: OnceLock<Table> = OnceLock::new();
    CELL.get_or_init(|| {
        toml::from_str(TABLE).unwrap_or(Table {
            deprecated: Vec::new(),
            value: Vec::new(),
        })
    })
}

/// Whether the table has any entry for the type: most types have none, and their
/// arguments need not be looked up one by one.
pub fn covers(ty: &str) -> bool {
    static TYPES: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    TYPES
        .get_or_init(|| {
            let t = table();
            t.deprecated
                .iter()
                .map(|d| d.ty.as_str())
                .chain(t.value.iter().map(|v| v.ty.as_str()))
                .collect()
        })
        .contains(ty)
}

fn applies(majors: &[u64], major: u64) -> bool {
    majors.is_empty() || majors.contains(&major)
}

/// Whether `path` (dotted from the resource or data source) of `ty` is deprecated in that
/// major version; for a computed attribute, whether reading it is.
pub fn deprecated(provider: &str, major: u64, data: bool, ty: &str, path: &str) -> Option<Verdict> {
    let d = table().deprecated.iter().find(|d| {
        d.provider == provider
            && d.data == data
            && d.ty == ty
            && d.path == path
            && applies(&d.majors, major)
    })?;
    Some(Verdict {
        detail: format!("deprecated by the provider: use {} instead", d.instead),
        source: d.source.as_str(),
    })
}

/// Whether the literal value of `path` is one the provider (or AWS) rejects; `None` for a
/// valid value and for anything that is not a literal.
pub fn value(
    provider: &str,
    major: u64,
    ty: &str,
    path: &str,
    expr: &Expression,
) -> Option<Verdict> {
    let v = table().value.iter().find(|v| {
        v.provider == provider && v.ty == ty && v.path == path && applies(&v.majors, major)
    })?;
    // A list is checked item by item (`enabled_cloudwatch_logs_exports`).
    let items: Vec<&Expression> = match expr {
        Expression::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let detail = items.into_iter().find_map(|item| rejected(v, item))?;
    Some(Verdict {
        detail,
        source: v.source.as_str(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_every_entry_names_its_source() {
        let t: Table = toml::from_str(TABLE).unwrap_or_else(|e| panic!("curated.toml: {e}"));
        assert!(t.deprecated.len() >= 10 && t.value.len() >= 10);
        for d in &t.deprecated {
            assert!(
                d.source.starts_with("https://registry.terraform.io/"),
                "{d:?}"
            );
        }
        for v in &t.value {
            assert!(
                v.source.starts_with("https://registry.terraform.io/"),
                "{v:?}"
            );
            assert!(
                !v.allowed.is_empty()
                    || v.min.is_some()
                    || v.max.is_some()
                    || (!v.refused.is_empty() && !v.why.is_empty()),
                "{v:?}"
            );
        }
    }

    fn expr(text: &str) -> Expression {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn values_are_checked_against_the_table() {
        let check = |path: &str, text: &str| value("aws", 6, "aws_flow_log", path, &expr(text));
        assert!(check("max_aggregation_interval", "60").is_none());
        let bad = check("max_aggregation_interval", "300");
        assert_eq!(
            bad.map(|v| v.detail).as_deref(),
            Some("`300` is not one of `60`, `600`")
        );
        assert!(check("max_aggregation_interval", "var.x").is_none());
        let kms = |text: &str| {
            value(
                "aws",
                6,
                "aws_kms_key",
                "deletion_window_in_days",
                &expr(text),
            )
        };
        assert!(kms("30").is_none());
        assert_eq!(
            kms("45").map(|v| v.detail).as_deref(),
            Some("`45` is outside the accepted range 7 to 30")
        );
        assert!(covers("aws_eip") && !covers("aws_vpc"));
        assert!(deprecated("aws", 5, false, "aws_eip", "vpc").is_some());
        assert!(deprecated("aws", 6, false, "aws_eip", "vpc").is_none());
    }
}
