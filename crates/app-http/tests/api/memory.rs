//! The server's memory under a flood of sign-ins (issue 15, item 4): the real `frontdesk-http`
//! binary, 300 simultaneous sign-ins, peak resident memory read from the kernel afterwards.
//! Each argon2 hash holds 19 MiB; without the bounded pool 300 at once took 2.9 GiB.

use std::time::Duration;

use serde_json::json;

/// The process's peak resident set (`VmHWM`), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// The server process, killed when the test ends however it ends.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_hundred_simultaneous_sign_ins_stay_under_300_mib() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("frontdesk.toml");
    std::fs::write(
        &config,
        format!(
            "[helpdesk]\nsupport_address = \"support@frontdesk.test\"\n\n\
             [database]\nurl = \"sqlite://{db}?mode=rwc\"\n\n\
             [outbox]\npath = \"{outbox}\"\n\n\
             [[mailbox]]\nkind = \"maildir\"\npath = \"{maildir}\"\n\n\
             [http]\nlogin_failures_per_ip = 100000\nlogin_failures_per_account = 100000\n",
            db = dir.path().join("fd.sqlite").display(),
            outbox = dir.path().join("outbox").display(),
            maildir = dir.path().join("maildir").display(),
        ),
    )
    .unwrap();
    let server = std::process::Command::new(env!("CARGO_BIN_EXE_frontdesk-http"))
        .args([
            "--config",
            config.to_str().unwrap(),
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .env("FRONTDESK_ADMIN_EMAIL", "admin@frontdesk.test")
        .env("FRONTDESK_ADMIN_PASSWORD", "correct horse battery staple")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Killed(server);
    let pid = server.0.id();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = std::time::Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let before = peak_rss_kib(pid);

    let logins = (0..300).map(|i| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            client
                .post(format!("{base}/api/auth/login"))
                .json(&json!({"email": format!("user{i}@customer.test"), "password": "a wrong password"}))
                .send()
                .await
                .map(|r| r.status().as_u16())
        }
    });
    let statuses: Vec<u16> = futures_util::future::join_all(logins)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let peak = peak_rss_kib(pid);
    server.0.kill().unwrap();

    let refused = statuses.iter().filter(|s| **s == 401).count();
    let busy = statuses.iter().filter(|s| **s == 503).count();
    assert_eq!(
        refused + busy,
        300,
        "only 401 or 503 (busy, retry later): {statuses:?}"
    );
    assert!(refused > 0, "the pool still works through the flood");
    eprintln!(
        "peak RSS: {} MiB before, {} MiB after 300 simultaneous sign-ins ({refused} checked, {busy} told to retry)",
        before / 1024,
        peak / 1024
    );
    assert!(peak < 300 * 1024, "peak RSS {} MiB", peak / 1024);
}
