//! The hand-checked sample of provider-schema findings on the corpus answers
//! (`tests/data/schema-sample.tsv`): every sampled finding is still reported by its rule at
//! its line of `MODEL_RESPONSE.md`. It needs `../shared/corpus` and says so when absent.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;

#[test]
fn the_hand_checked_schema_findings_are_still_reported() {
    let text = std::fs::read_to_string(common::manifest_dir().join("tests/data/schema-sample.tsv"))
        .unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
        .collect();
    assert!(rows.len() >= 30, "{} sampled findings", rows.len());
    for r in &rows {
        assert_eq!(r.len(), 4, "{r:?}");
        assert!(r[3].len() > 20, "no reason given: {r:?}");
    }
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut by_folder: BTreeMap<&str, Vec<&Vec<&str>>> = BTreeMap::new();
    for r in &rows {
        by_folder.entry(r[0]).or_default().push(r);
    }
    let mut missing = Vec::new();
    for (folder, rows) in by_folder {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tfreview"))
            .args(["check", "--format", "json", "--fail-on", "none"])
            .arg(corpus.join(folder))
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let found: Vec<(String, u64)> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| {
                Some((
                    f["rule"].as_str()?.to_string(),
                    f["origin"]["line"].as_u64()?,
                ))
            })
            .collect();
        for r in rows {
            let line: u64 = r[2].parse().unwrap();
            if !found.iter().any(|(rule, l)| rule == r[1] && *l == line) {
                missing.push(format!("{folder} line {line} [{}]: {}", r[1], r[3]));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not reported any more:\n{}",
        missing.join("\n")
    );
}
