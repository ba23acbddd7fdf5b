//! Discord shards across processes: real `emcee run` processes, each on a
//! shard range, against one sharded fake Discord and one database; and
//! several processes on one Slack workspace.

mod discord;
mod postgres;
mod refusal;
mod slack;

use crate::harness::PATIENCE;
use crate::process::{emcee_command, TOKEN};
use fake_discord::FakeDiscord;
use tokio::process::Child;

/// `emcee run --shards RANGE` on the sample config in `config` (the
/// processes of one test share its folder, so its database).
fn run_shards(fake: &FakeDiscord, config: &tempfile::TempDir, range: &str) -> Child {
    let mut command = emcee_command(fake, config, Some(TOKEN));
    command
        .args(["--shards", range])
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null());
    command.spawn().expect("emcee runs")
}

/// A process that serves until the test stops it, however long its shards
/// take to connect; stderr is drained meanwhile so logs never stall it.
struct Serving {
    child: Child,
    stderr: tokio::task::JoinHandle<String>,
}

impl Serving {
    fn new(mut child: Child) -> Self {
        let mut pipe = child.stderr.take().expect("stderr is piped");
        let stderr = tokio::spawn(async move {
            let mut text = String::new();
            let _ = tokio::io::AsyncReadExt::read_to_string(&mut pipe, &mut text).await;
            text
        });
        Self { child, stderr }
    }

    /// SIGTERM, as a service manager stops it; then its status and stderr.
    async fn stop(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().expect("running").to_string();
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        let status = tokio::time::timeout(PATIENCE, self.child.wait())
            .await
            .expect("emcee exits")
            .expect("exit status");
        (status.code(), self.stderr.await.expect("stderr"))
    }
}
