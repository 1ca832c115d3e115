//! Real mail nobody here wrote: every message of three public corpora either normalises or
//! yields a typed error; none panics. The corpora are fetched by `scripts/fetch-corpora.sh`
//! (run by `scripts/test.sh`) into `target/corpora/`, never committed.

use std::path::{Path, PathBuf};

use chrono::Utc;
use frontdesk_adapters_gmail::mime::{MimeLimits, parse_message};

/// The folder of a fetched corpus; a missing one fails the test (in CI too), never skips it.
pub fn corpus_root(name: &str) -> PathBuf {
    let root = std::env::var_os("FRONTDESK_CORPORA")
        .map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/corpora"),
            PathBuf::from,
        )
        .join(name);
    assert!(
        root.join(".complete").exists(),
        "corpus {} missing: run scripts/fetch-corpora.sh",
        root.display()
    );
    root
}

fn corpus(name: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = corpus_root(name);
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.file_name().is_some_and(|n| n != ".complete") {
                let bytes = std::fs::read(&path).unwrap();
                files.push((path, bytes));
            }
        }
    }
    files.sort();
    files
}

/// Parses every file, catching panics so the report names every offender. Returns (ok, errors).
fn run(name: &str) -> (usize, usize, usize) {
    let files = corpus(name);
    let (mut ok, mut errors) = (0, 0);
    let mut panicked = Vec::new();
    for (path, bytes) in &files {
        match std::panic::catch_unwind(|| parse_message(bytes, Utc::now(), &MimeLimits::default()))
        {
            Ok(Ok(mail)) => {
                ok += 1;
                assert_eq!(mail.raw, *bytes, "raw bytes are kept exactly");
            }
            Ok(Err(_)) => errors += 1,
            Err(_) => panicked.push(path.display().to_string()),
        }
    }
    assert!(
        panicked.is_empty(),
        "{name}: parsing panicked on {panicked:?}"
    );
    println!(
        "{name}: {} files, {ok} normalised, {errors} typed errors",
        files.len()
    );
    (files.len(), ok, errors)
}

#[test]
fn spam_assassin_messages_all_normalise() {
    let (files, ok, errors) = run("spam-assassin");
    assert_eq!(files, 6046);
    assert_eq!(
        (ok, errors),
        (files, 0),
        "ordinary mail, however spammy, must normalise"
    );
}

#[test]
fn malformed_enmime_samples_normalise_or_fail_typed() {
    let (files, ok, _) = run("enmime");
    assert!(files > 80 && ok > files / 2, "{ok} of {files}");
}

#[test]
fn python_email_test_messages_normalise_or_fail_typed() {
    let (files, ok, _) = run("python-email");
    assert!(files > 40 && ok > files / 2, "{ok} of {files}");
}

#[test]
fn spam_assassin_senders_and_subjects_are_read() {
    let files = corpus("spam-assassin");
    let parsed: Vec<_> = files
        .iter()
        .filter_map(|(_, b)| parse_message(b, Utc::now(), &MimeLimits::default()).ok())
        .collect();
    let with_sender = parsed.iter().filter(|m| m.from.is_some()).count();
    let with_id = parsed.iter().filter(|m| m.message_id.is_some()).count();
    let with_text = parsed
        .iter()
        .filter(|m| !m.text_body.trim().is_empty())
        .count();
    println!(
        "senders {with_sender}, message ids {with_id}, text bodies {with_text} of {}",
        parsed.len()
    );
    assert!(
        with_sender * 100 >= parsed.len() * 99,
        "senders {with_sender}"
    );
    assert!(with_id * 100 >= parsed.len() * 95, "ids {with_id}");
    assert!(with_text * 100 >= parsed.len() * 97, "text {with_text}");
}
