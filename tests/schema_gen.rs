//! The generator reproduces the committed schemas byte for byte. It needs the unpacked npm
//! packages, which neither the build nor the tests fetch: it uses the `package/` folders
//! that `TFREVIEW_SCHEMA_PACKAGES` lists (separated by `:`), else those that
//! `tools/gen-schemas.sh` keeps in `target/schema-packages/<name>/package` when all of
//! them are there, and says SKIPPED otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

mod common;

/// The `package@version` list of `tools/gen-schemas.sh`, the one place that pins them.
fn pinned_packages() -> Vec<String> {
    let script =
        std::fs::read_to_string(common::manifest_dir().join("tools/gen-schemas.sh")).unwrap();
    let start = script.find("packages=\"").unwrap() + "packages=\"".len();
    let end = start + script[start..].find('"').unwrap();
    script[start..end]
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// `@cdktf/provider-aws@19.65.1` → `cdktf-provider-aws-19.65.1`, as the script names it.
fn cache_name(package: &str) -> String {
    package
        .trim_start_matches('@')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[test]
fn the_cache_names_match_the_script() {
    let pinned = pinned_packages();
    assert!(
        !pinned.is_empty()
            && pinned
                .iter()
                .all(|p| p.starts_with('@') && p[1..].contains('@')),
        "{pinned:?}"
    );
    assert_eq!(
        cache_name("@cdktf/provider-aws@19.65.1"),
        "cdktf-provider-aws-19.65.1"
    );
}

#[test]
fn the_generator_reproduces_the_committed_schemas() {
    // Every committed schema must be regenerated when the packages come from the cache;
    // an explicit list may name only some of them.
    let (dirs, all): (Vec<PathBuf>, bool) = match std::env::var("TFREVIEW_SCHEMA_PACKAGES") {
        Ok(list) => (list.split(':').map(PathBuf::from).collect(), false),
        Err(_) => {
            let cache = common::manifest_dir().join("target/schema-packages");
            let dirs: Vec<PathBuf> = pinned_packages()
                .iter()
                .map(|p| cache.join(cache_name(p)).join("package"))
                .collect();
            let missing: Vec<&PathBuf> = dirs
                .iter()
                .filter(|d| !d.join(".jsii").is_file() || !d.join("package.json").is_file())
                .collect();
            if !missing.is_empty() {
                eprintln!(
                    "SKIPPED: {} of the {} npm packages are not in {} (first: {}); \
                     fetch them with `tools/gen-schemas.sh --fetch-only` (needs npm and a \
                     network), or set TFREVIEW_SCHEMA_PACKAGES to the unpacked package/ \
                     folders, `:`-separated",
                    missing.len(),
                    dirs.len(),
                    cache.display(),
                    missing[0].display()
                );
                return;
            }
            (dirs, true)
        }
    };
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(env!("CARGO"))
        .current_dir(common::manifest_dir())
        .args([
            "run",
            "--release",
            "--quiet",
            "--example",
            "gen-schema",
            "--",
        ])
        .arg(out.path())
        .args(&dirs)
        .status()
        .unwrap();
    assert!(status.success());
    let mut compared = Vec::new();
    for entry in std::fs::read_dir(out.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_owned();
        let committed = common::manifest_dir().join("schemas").join(&name);
        assert!(
            std::fs::read(&committed).ok() == Some(std::fs::read(&path).unwrap()),
            "{} is missing or differs from the generated one",
            committed.display()
        );
        compared.push(name.to_string_lossy().into_owned());
    }
    compared.sort();
    eprintln!("reproduced byte for byte: {}", compared.join(", "));
    assert!(!compared.is_empty());
    if all {
        let mut committed: Vec<String> = std::fs::read_dir(common::manifest_dir().join("schemas"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json.gz"))
            .collect();
        committed.sort();
        assert_eq!(
            committed, compared,
            "a committed schema has no pinned package"
        );
    }
}
