//! Outages: the database or the mail server goes away under a running poller and comes back.
//! A TCP proxy in the test stands between the poller and the server, so the test can cut every
//! connection and refuse new ones, then let them through again — the server itself stays up for
//! the other tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::imap::{CUSTOMER_MESSAGES, configure, count, deliver_lane, poller, port, wait_for};
use crate::{Fresh, Site, mail, write};

/// A loopback TCP proxy that can be cut and restored.
pub struct Proxy {
    pub port: u16,
    up: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
}

impl Proxy {
    pub async fn start(target: (String, u16)) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let (cut, cuts) = watch::channel(0u64);
        let accepting = up.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if !accepting.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let target = target.clone();
                let mut cuts = cuts.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect((target.0.as_str(), target.1)).await
                    else {
                        return;
                    };
                    cuts.borrow_and_update();
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cuts.changed() => {}
                    }
                });
            }
        });
        Self { port, up, cut }
    }

    /// Closes every open connection and refuses new ones.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cut.send_modify(|n| *n += 1);
    }

    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// Host and port of a `postgres://…` URL.
fn host_port(url: &str) -> (String, u16) {
    let rest = url.split_once("://").unwrap().1;
    let rest = rest.split_once('@').map_or(rest, |(_, r)| r);
    let authority = rest.split('/').next().unwrap();
    let (host, port) = authority.rsplit_once(':').unwrap_or((authority, "5432"));
    (host.to_owned(), port.parse().unwrap())
}

fn files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

async fn wait_until(limit: Duration, mut done: impl AsyncFnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_acknowledges_nothing_and_heals_by_itself() {
    let site = Site::new(Fresh::postgres().await);
    let (host, port) = host_port(&site.fresh.url);
    let proxy = Proxy::start((host.clone(), port)).await;
    let through_proxy = site.fresh.url.replacen(
        &format!("{host}:{port}"),
        &format!("127.0.0.1:{}", proxy.port),
        1,
    );
    assert_ne!(through_proxy, site.fresh.url, "the URL names host and port");
    write(
        &site.path("frontdesk.toml"),
        "[poller]\ninterval_secs = 1\nmax_backoff_secs = 2\nmetrics_bind = \"\"\n\
         [database]\nbusy_timeout_secs = 2\n",
    );
    let new = site.path("data/maildir/new");
    let cur = site.path("data/maildir/cur");
    let mut child = site
        .command(&["run"])
        .env("FRONTDESK_DATABASE_URL", &through_proxy)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    write(
        &new.join("1.first"),
        &mail("first@client.example", "a@client.example", "Before", "one"),
    );
    assert!(
        wait_until(Duration::from_secs(30), async || files(&cur) == 1).await,
        "the first mail is ingested while the database is up"
    );

    proxy.cut();
    for i in 0..5 {
        write(
            &new.join(format!("2.during-{i}")),
            &mail(
                &format!("during-{i}@client.example"),
                "b@client.example",
                "During",
                "two",
            ),
        );
    }
    // Several poll intervals pass with the database away: nothing is acknowledged.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        files(&new),
        5,
        "no mail acknowledged while the database is down"
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "the poller keeps running"
    );

    proxy.restore();
    assert!(
        wait_until(Duration::from_secs(30), async || files(&cur) == 6).await,
        "the poller recovers by itself once the database is back"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        count(&site, CUSTOMER_MESSAGES).await,
        6,
        "nothing lost, nothing doubled"
    );
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_server_dropping_connections_mid_fetch_loses_and_doubles_nothing() {
    const TOTAL: usize = 400;
    let site = Site::new(Fresh::postgres().await);
    let proxy = Proxy::start(("127.0.0.1".to_owned(), port("FRONTDESK_TEST_IMAP_PORT"))).await;
    let account = format!("outage-{}@frontdesk.test", uuid::Uuid::now_v7().simple());
    configure(&site, &account, false, proxy.port);
    let mut child = poller(&site);
    let delivery: Vec<_> = (0..4)
        .map(|lane| tokio::spawn(deliver_lane(account.clone(), lane, TOTAL)))
        .collect();
    // Cut the IMAP connection again and again while mail arrives and is fetched.
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        proxy.cut();
        tokio::time::sleep(Duration::from_millis(300)).await;
        proxy.restore();
    }
    for lane in delivery {
        lane.await.unwrap();
    }
    wait_for(
        &site,
        CUSTOMER_MESSAGES,
        TOTAL as i64,
        Duration::from_secs(90),
    )
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(count(&site, CUSTOMER_MESSAGES).await, TOTAL as i64);
    assert_eq!(
        count(&site, "SELECT COUNT(*) FROM tickets").await,
        TOTAL as i64
    );
    site.finish().await;
}
