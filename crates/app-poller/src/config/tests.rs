use std::io::Write;

use super::*;

fn file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn no_file_means_the_embedded_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("frontdesk.toml");
    // An explicit file must exist…
    assert!(matches!(
        Config::load_with_env(Some(&missing), &[]),
        Err(ConfigError::Read { .. })
    ));
    // …the default one may be missing.
    let c = Config::load_with_env(None, &[]).unwrap();
    assert!(c.database.url.starts_with("sqlite://"));
    assert_eq!(c.ai.provider, frontdesk_adapters_ai::Provider::Offline);
    assert_eq!(c.ai_mode().unwrap(), AiMode::Draft);
    let mailboxes = c.mailboxes();
    assert!(
        matches!(&mailboxes[..], [MailboxConfig::Maildir(m)] if m.path == Path::new("data/maildir"))
    );
    assert_eq!(c.poller.interval_secs, 60);
}

#[test]
fn a_full_file_parses_and_builds_settings() {
    let f = file(
        r#"
[helpdesk]
support_address = "help@example.com"
acknowledge = false
assignment = "least_loaded"

[database]
url = "postgres://frontdesk@db/frontdesk"

[poller]
interval_secs = 15

[[mailbox]]
kind = "imap"
name = "support"
host = "imap.example.com"
username = "help@example.com"
password_env = "IMAP_PASSWORD"
after_ingest = "move:Done"

[[mailbox]]
kind = "maildir"
path = "/var/mail/support"

[ai]
provider = "openai"
mode = "auto"
auto_send_threshold = 0.9

[sla]
warning_percent = 25
"#,
    );
    let c = Config::load_with_env(Some(f.path()), &[]).unwrap();
    assert_eq!(c.mailboxes.len(), 2);
    assert_eq!(c.mailboxes[0].name(), "support");
    assert_eq!(c.mailboxes[1].interval_secs(15), 15);
    let s = c.helpdesk_settings().unwrap();
    assert_eq!(s.ai_mode, AiMode::Auto);
    assert!((s.auto_send.min_confidence - 0.9).abs() < 1e-6);
    assert!(s.auto_acknowledgement.is_none());
    assert_eq!(s.assignment, Strategy::LeastLoaded);
}

#[test]
fn environment_overrides_the_file() {
    let f = file("[database]\nurl = \"sqlite://a.sqlite\"\n[poller]\ninterval_secs = 5\n");
    let c = Config::load_with_env(
        Some(f.path()),
        &env(&[
            ("FRONTDESK_DATABASE_URL", "postgres://x@y/z"),
            ("FRONTDESK_AI_MODE", "off"),
            ("FRONTDESK_POLLER__BATCH_SIZE", "7"),
            ("FRONTDESK_HELPDESK__SUPPORT_NAME", "Acme Help"),
            ("OTHER", "ignored"),
        ]),
    )
    .unwrap();
    assert_eq!(c.database.url, "postgres://x@y/z");
    assert_eq!(c.ai_mode().unwrap(), AiMode::Off);
    assert_eq!(c.poller.batch_size, 7);
    assert_eq!(c.poller.interval_secs, 5);
    assert_eq!(c.helpdesk.support_name.as_deref(), Some("Acme Help"));
}

#[test]
fn secrets_in_the_file_are_refused() {
    for text in [
        "[ai]\napi_key = \"sk-123\"\n",
        "[[mailbox]]\nkind = \"imap\"\nhost = \"h\"\nusername = \"u\"\npassword = \"p\"\n",
        "[smtp]\nhost = \"h\"\npassword = \"p\"\n",
    ] {
        let f = file(text);
        let err = Config::load_with_env(Some(f.path()), &[]).unwrap_err();
        assert!(
            matches!(err, ConfigError::SecretInFile { .. }),
            "{text}: {err}"
        );
        assert!(!err.to_string().contains("sk-123"));
    }
    let err = Config::load_with_env(None, &env(&[("FRONTDESK_SMTP__PASSWORD", "p")])).unwrap_err();
    assert!(matches!(err, ConfigError::SecretInFile { .. }), "{err}");
}

#[test]
fn webhooks_reach_public_addresses_only_unless_blocks_are_allowed() {
    let c = Config::load_with_env(None, &[]).unwrap();
    let policy = c.webhook_targets().unwrap();
    assert!(policy.check("127.0.0.1".parse().unwrap()).is_err());
    let f = file("[webhooks]\nallow_private_targets = [\"10.0.0.0/8\", \"127.0.0.1\"]\n");
    let c = Config::load_with_env(Some(f.path()), &[]).unwrap();
    let policy = c.webhook_targets().unwrap();
    assert!(policy.check("127.0.0.1".parse().unwrap()).is_ok());
    assert!(policy.check("10.1.1.1".parse().unwrap()).is_ok());
    assert!(policy.check("192.168.1.1".parse().unwrap()).is_err());
}

#[test]
fn bad_values_name_their_key() {
    for (text, key) in [
        ("[ai]\nmode = \"yolo\"\n", "ai.mode"),
        ("[ai]\nprovider = \"skynet\"\n", "ai.provider"),
        ("[ai]\nresponse_format = \"yaml\"\n", "ai.response_format"),
        (
            "[smtp]\nhost = \"h\"\nsecurity = \"ssl\"\n",
            "smtp.security: unknown variant `ssl`, expected one of `tls`, `starttls`, `plain`",
        ),
        (
            "[[mailbox]]\nkind = \"imap\"\nhost = \"h\"\nusername = \"u\"\nsecurity = \"tlss\"\n",
            "unknown variant `tlss`",
        ),
        (
            "[helpdesk]\nsupport_address = \"nope\"\n",
            "helpdesk.support_address",
        ),
        ("[poller]\ninterval_secs = 0\n", "poller.interval_secs"),
        (
            "[[mailbox]]\nkind = \"imap\"\nhost = \"h\"\nusername = \"u\"\nafter_ingest = \"delete\"\n",
            "mailbox[0].after_ingest",
        ),
        ("[sla]\nwarning_percent = 250\n", "sla"),
        (
            "[webhooks]\nallow_private_targets = [\"10.0.0.0/33\"]\n",
            "webhooks.allow_private_targets",
        ),
        (
            "[http]\nevent_keep_alive_secs = 0\n",
            "http.event_keep_alive_secs",
        ),
        (
            "[http]\nevent_streams_total = 0\n",
            "http.event_streams_per_caller",
        ),
    ] {
        let f = file(text);
        let err = Config::load_with_env(Some(f.path()), &[]).unwrap_err();
        assert!(err.to_string().contains(key), "{text}: {err}");
    }
    let f = file("[poller]\nintervall_secs = 5\n");
    let err = Config::load_with_env(Some(f.path()), &[]).unwrap_err();
    assert!(err.to_string().contains("intervall_secs"), "{err}");
}

#[test]
fn secrets_come_from_the_environment_or_a_file() {
    let f = file("hunter2\n");
    assert_eq!(
        secret("smtp.password_file", None, Some(f.path())).unwrap(),
        Some("hunter2".to_owned())
    );
    assert_eq!(secret("x", None, None).unwrap(), None);
    assert!(matches!(
        secret(
            "mailbox[0].password_env",
            Some("FRONTDESK_TEST_SURELY_UNSET_VAR"),
            None
        ),
        Err(ConfigError::Env { .. })
    ));
}

#[test]
fn sqlite_memory_defaults_follow_the_workload_unless_configured() {
    use crate::app::{Workload, database_settings};

    let defaults = Config::load_with_env(None, &[]).unwrap();
    let api = database_settings(&defaults, Workload::Api);
    assert_eq!((api.sqlite_cache_mib, api.sqlite_mmap_mib), (64, 65_536));
    let daemon = database_settings(&defaults, Workload::Daemon);
    assert_eq!((daemon.sqlite_cache_mib, daemon.sqlite_mmap_mib), (2, 0));
    let set = Config::load_with_env(
        None,
        &env(&[
            ("FRONTDESK_DATABASE__SQLITE_CACHE_MIB", "16"),
            ("FRONTDESK_DATABASE__SQLITE_MMAP_MIB", "1024"),
        ]),
    )
    .unwrap();
    for workload in [Workload::Api, Workload::Daemon] {
        let s = database_settings(&set, workload);
        assert_eq!(
            (s.sqlite_cache_mib, s.sqlite_mmap_mib),
            (16, 1024),
            "{workload:?}"
        );
    }
}

#[test]
fn intake_limits_default_on_and_come_from_the_file_or_the_environment() {
    let c = Config::load_with_env(None, &[]).unwrap();
    let s = c.helpdesk_settings().unwrap();
    assert_eq!(s.intake_limits, IntakeLimits::default());
    assert!(s.trusted_authserv_ids.is_empty());
    let f = file(
        "[helpdesk]\ntrusted_authserv_ids = [\"mx.example.com\"]\n\
         tickets_per_sender_per_hour = 0\nai_jobs_per_sender_per_hour = 5\n",
    );
    let c = Config::load_with_env(
        Some(f.path()),
        &env(&[(
            "FRONTDESK_HELPDESK__ACKNOWLEDGEMENTS_PER_DOMAIN_PER_HOUR",
            "7",
        )]),
    )
    .unwrap();
    let s = c.helpdesk_settings().unwrap();
    assert_eq!(
        s.intake_limits,
        IntakeLimits {
            tickets_per_sender: None,
            ai_jobs_per_sender: Some(5),
            acknowledgements_per_domain: Some(7),
        }
    );
    assert_eq!(s.trusted_authserv_ids, ["mx.example.com"]);
}
