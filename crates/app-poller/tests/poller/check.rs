//! `check-config`: checks without side effects — on a fresh directory it creates no database,
//! no mail folders, and warns about nothing — and the shipped example configuration is valid.

use std::process::Command;

fn check_config(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_frontdesk-poller"))
        .arg("check-config")
        .args(args)
        .current_dir(dir)
        .env_remove("FRONTDESK_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[test]
fn check_config_on_a_fresh_directory_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = check_config(dir.path(), &[]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("configuration is valid"), "{stdout}");
    assert!(
        stdout.contains("does not exist yet"),
        "the database is described, not created: {stdout}"
    );
    assert!(
        !stderr.contains("WARN") && !stderr.contains("ERROR"),
        "nothing to warn about: {stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "check-config left {left:?} behind");
}

#[test]
fn the_shipped_example_configuration_is_valid() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/examples/frontdesk.example.toml")
        .canonicalize()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = check_config(dir.path(), &["--config", example.to_str().unwrap()]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("configuration is valid"), "{stdout}");
    assert!(!stderr.contains("WARN"), "{stderr}");
}
