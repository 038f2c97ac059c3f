//! The generator reproduces the committed schemas byte for byte. It needs the unpacked
//! packages, so it runs only when `TFREVIEW_SCHEMA_PACKAGES` lists their `package/` folders
//! (separated by `:`, in the order of `tools/gen-schemas.sh`); it says SKIPPED otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[test]
fn the_generator_reproduces_the_committed_schemas() {
    let Ok(dirs) = std::env::var("TFREVIEW_SCHEMA_PACKAGES") else {
        eprintln!("SKIPPED: set TFREVIEW_SCHEMA_PACKAGES to the unpacked npm packages");
        return;
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
        .args(dirs.split(':'))
        .status()
        .unwrap();
    assert!(status.success());
    let mut compared = 0;
    for entry in std::fs::read_dir(out.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_owned();
        let committed = common::manifest_dir().join("schemas").join(&name);
        assert!(
            std::fs::read(&committed).unwrap() == std::fs::read(&path).unwrap(),
            "{} differs from the generated one",
            committed.display()
        );
        compared += 1;
    }
    assert!(compared > 0);
}
