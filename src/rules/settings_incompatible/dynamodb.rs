//! DynamoDB tables: the attribute definitions against the keys, and the billing mode
//! against the capacities. The provider checks both while it plans (`terraform plan`
//! fails), so each finding is certain once the names and values are known.

use std::collections::BTreeMap;

use hcl_edit::structure::{Attribute, Block};

use super::{Cx, Number, Problem};
use crate::finding::{Applicability, Fix, Related};
use crate::model::BlockInfo;
use crate::model::expr::{span_of, static_str};

/// The literal names of one kind of place in a table (attribute definitions, or keys),
/// each with the attribute that writes it; `None` when a name is not a literal or a
/// `dynamic` block may add more.
type Names<'a> = Option<BTreeMap<String, Vec<&'a Attribute>>>;

fn add<'a>(names: &mut Names<'a>, attr: Option<&'a Attribute>) {
    let Some(attr) = attr else { return };
    match (names.as_mut(), static_str(&attr.value)) {
        (Some(map), Some(name)) => map.entry(name).or_default().push(attr),
        _ => *names = None,
    }
}

/// The blocks named `ident` in `b`'s body, or `None` when a `dynamic` block writes some.
fn blocks<'a>(b: &BlockInfo<'a>, ident: &'a str) -> Option<Vec<&'a Block>> {
    let body = b.body();
    let dynamic = body
        .get_blocks("dynamic")
        .any(|d| d.labels.first().is_some_and(|l| l.as_str() == ident));
    (!dynamic).then(|| body.get_blocks(ident).collect())
}

impl<'a> Cx<'a> {
    /// An `attribute` no key uses (`all attributes must be indexed`), and a key of the
    /// table or of an index with no `attribute` (`all indexes must match a defined
    /// attribute`). Only when every name is a literal.
    pub(super) fn dynamodb_attributes(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let mut defined: Names<'a> = Some(BTreeMap::new());
        let mut keys: Names<'a> = Some(BTreeMap::new());
        let (Some(attributes), Some(global), Some(local)) = (
            blocks(b, "attribute"),
            blocks(b, "global_secondary_index"),
            blocks(b, "local_secondary_index"),
        ) else {
            return;
        };
        for a in &attributes {
            match a.body.get_attribute("name") {
                Some(name) => add(&mut defined, Some(name)),
                None => defined = None,
            }
        }
        add(&mut keys, b.attr("hash_key"));
        add(&mut keys, b.attr("range_key"));
        for index in global.iter().chain(&local) {
            // Indexes keyed by `key_schema` blocks (provider 6) name their keys there.
            if index.body.get_blocks("key_schema").next().is_some() {
                return;
            }
            add(&mut keys, index.body.get_attribute("hash_key"));
            add(&mut keys, index.body.get_attribute("range_key"));
        }
        let (Some(defined), Some(keys)) = (defined, keys) else {
            return;
        };
        if keys.is_empty() {
            // No `hash_key` written: the schema check reports the missing argument.
            return;
        }
        let key_list = keys
            .keys()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let src = self.model.src(b.file);
        let path = self.model.path(b.file);
        for (name, attrs) in &defined {
            if keys.contains_key(name) {
                continue;
            }
            let Some(attr) = attrs.first() else { continue };
            let mut p = self.problem(
                b,
                attr,
                "attribute",
                format!("DynamoDB attribute `{name}` is not a key"),
                format!(
                    "`{}` defines the attribute `{name}`, which no key of the table or of an index uses ({key_list}): `terraform plan` fails with \"all attributes must be indexed. Unused attributes: [\"{name}\"]\". DynamoDB has no schema for other attributes; items carry them without a definition (a TTL attribute included)",
                    b.address
                ),
            );
            let block = attributes.iter().find(|a| {
                a.body
                    .get_attribute("name")
                    .is_some_and(|n| span_of(n) == span_of(*attr))
            });
            if let Some(block) = block {
                p.fix = Some(Fix::new(
                    format!("Remove the attribute definition `{name}`"),
                    Applicability::Unsafe,
                    vec![crate::edits::remove_lines(path, src, span_of(*block))],
                ));
            }
            found.push(p);
        }
        for (name, attrs) in &keys {
            if defined.contains_key(name) {
                continue;
            }
            let Some(attr) = attrs.first() else { continue };
            let mut p = self.problem(
                b,
                attr,
                "hash_key",
                format!("DynamoDB key `{name}` has no attribute definition"),
                format!(
                    "`{}` uses `{name}` as a key, but no `attribute` block defines it: `terraform plan` fails with \"all indexes must match a defined attribute. Unmatched indexes: [\"{name}\"]\"; add `attribute {{ name = \"{name}\", type = \"S\" }}` (or `N`, `B`)",
                    b.address
                ),
            );
            p.related = attrs
                .iter()
                .skip(1)
                .map(|a| Related {
                    file: b.file,
                    span: span_of(*a),
                    message: format!("`{name}` used as a key here too"),
                })
                .collect();
            found.push(p);
        }
    }

    /// The billing mode against the capacities: `PAY_PER_REQUEST` with a table capacity
    /// (`read_capacity can not be set`), `PROVISIONED` (the default) without one
    /// (`read_capacity must be at least 1`), and a global secondary index of a
    /// provisioned table without its own capacities.
    pub(super) fn dynamodb_billing(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        // A table restored from another takes its capacities; the provider skips the
        // check.
        if b.attr("restore_source_name").is_some() || b.attr("restore_source_table_arn").is_some() {
            return;
        }
        let modes = self.strings(b, "billing_mode");
        let mode = match (b.attr("billing_mode"), modes.as_slice()) {
            (None, _) => "provisioned",
            (Some(_), [(m, _)]) if m == "provisioned" || m == "pay_per_request" => m.as_str(),
            _ => return,
        };
        let mode_related = |p: &mut Problem| {
            if let [(_, v)] = modes.as_slice() {
                p.related =
                    self.elsewhere(b, std::slice::from_ref(v), "the billing mode given here");
            }
        };
        let capacities = ["read_capacity", "write_capacity"];
        if mode == "pay_per_request" {
            for key in capacities {
                let Number::One(n) = self.one_number(b, key) else {
                    continue;
                };
                if n.value == 0.0 {
                    continue;
                }
                let mut p = self.problem(
                    b,
                    n.attr,
                    key,
                    format!("`{key}` on an on-demand DynamoDB table"),
                    format!(
                        "`{}` is billed per request and sets `{key} = {}`: `terraform plan` fails with \"{key} can not be set when billing_mode is \"PAY_PER_REQUEST\"\"; remove it, or bill by provisioned capacity",
                        b.address, n.value
                    ),
                );
                mode_related(&mut p);
                let src = self.model.src(b.file);
                p.fix = Some(Fix::new(
                    format!("Remove `{key}`"),
                    Applicability::Unsafe,
                    vec![crate::edits::remove_lines(
                        self.model.path(b.file),
                        src,
                        span_of(n.attr),
                    )],
                ));
                found.push(p);
            }
            return;
        }
        let written = b.attr("billing_mode");
        for key in capacities {
            let at = match self.one_number(b, key) {
                Number::Absent => written,
                Number::One(n) if n.value < 1.0 => Some(n.attr),
                _ => continue,
            };
            let Some(at) = at.or_else(|| b.attr("name")) else {
                continue;
            };
            let how = if written.is_some() {
                "bills by provisioned capacity"
            } else {
                "leaves `billing_mode` out (`PROVISIONED` by default)"
            };
            let mut p = self.problem(
                b,
                at,
                key,
                format!("provisioned DynamoDB table without `{key}`"),
                format!(
                    "`{}` {how} and gives no `{key}` of at least 1: `terraform plan` fails with \"{key} must be at least 1 when billing_mode is \"PROVISIONED\"\"; set `billing_mode = \"PAY_PER_REQUEST\"` for on-demand, or a capacity",
                    b.address
                ),
            );
            mode_related(&mut p);
            found.push(p);
            // One finding for the table: both capacities say the same.
            return;
        }
        let Some(global) = blocks(b, "global_secondary_index") else {
            return;
        };
        for index in global {
            let missing: Vec<&str> = capacities
                .into_iter()
                .filter(|k| index.body.get_attribute(k).is_none())
                .collect();
            if missing.is_empty() {
                continue;
            }
            let at = index
                .body
                .get_attribute("name")
                .or_else(|| index.body.get_attribute("hash_key"));
            let Some(at) = at else { continue };
            let label = static_str(&at.value).unwrap_or_else(|| "of the table".to_string());
            let mut p = self.problem(
                b,
                at,
                "global_secondary_index",
                format!("index `{label}` of a provisioned table without capacities"),
                format!(
                    "`{}` bills by provisioned capacity, and its global secondary index `{label}` has no `{}`: the provider refuses the index when it creates the table (\"write capacity must be > 0 when billing mode is PROVISIONED\")",
                    b.address,
                    missing.join("` or `")
                ),
            );
            mode_related(&mut p);
            found.push(p);
        }
    }
}
