//! A throwaway PostgreSQL server for the tests: `initdb` into a temporary
//! folder, `pg_ctl start` on a free port of 127.0.0.1, one server per test
//! binary, one fresh database per test.
//!
//! The binaries come from `$EMCEE_PG_BIN`, else PostgreSQL 15's folder on
//! Debian. Missing binaries fail the test with a message saying what to
//! install; a developer without PostgreSQL may opt out with
//! `EMCEE_SKIP_POSTGRES=1` (CI never sets it). `initdb` refuses to run as
//! root, so as root the server runs as the `postgres` user. A watchdog
//! process stops the server and removes its folder once this test binary
//! exits, however it exits (a panic, an abort, a kill).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Where PostgreSQL's server binaries are, unless `EMCEE_PG_BIN` says.
const DEFAULT_BIN: &str = "/usr/lib/postgresql/15/bin";
/// The user the server runs as when the tests run as root.
const SERVER_USER: &str = "postgres";
/// The superuser `initdb` creates.
const SUPERUSER: &str = "emcee";

/// The running server.
pub struct Server {
    pub port: u16,
    /// How to run its `pg_ctl` again (fault trials restart it).
    bin: PathBuf,
    data: PathBuf,
    log: PathBuf,
    as_root: bool,
    options: String,
}

// Used by the e2e fault trials; the contract suite never restarts it.
#[allow(dead_code)]
impl Server {
    /// Stops the server as an operator's restart does (`-m fast`: open
    /// connections are cut); blocking, so call it off the async workers.
    ///
    /// # Errors
    /// What `pg_ctl` said.
    pub fn stop(&self) -> Result<(), String> {
        let mut pg_ctl = server_command(&self.bin, "pg_ctl", self.as_root);
        pg_ctl
            .arg("-D")
            .arg(&self.data)
            .args(["-w", "-m", "fast", "stop"]);
        run(&mut pg_ctl, self.log.parent().unwrap_or(&self.data))
    }

    /// Starts the stopped server again on its folder and port; blocking.
    ///
    /// # Errors
    /// What `pg_ctl` said.
    pub fn start_again(&self) -> Result<(), String> {
        let mut pg_ctl = server_command(&self.bin, "pg_ctl", self.as_root);
        pg_ctl
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(&self.log)
            .args(["-w", "-t", "60", "-o", &self.options, "start"]);
        run(&mut pg_ctl, self.log.parent().unwrap_or(&self.data))
    }
}

/// Whether PostgreSQL tests are opted out of (`EMCEE_SKIP_POSTGRES=1`).
pub fn skipped() -> bool {
    std::env::var("EMCEE_SKIP_POSTGRES").is_ok_and(|value| value == "1")
}

/// The server of this test binary, started on first use; `None` when
/// opted out. Panics, with what to do, when it cannot be started.
pub fn server() -> Option<&'static Server> {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    if skipped() {
        eprintln!("EMCEE_SKIP_POSTGRES=1: this PostgreSQL test is skipped");
        return None;
    }
    match SERVER.get_or_init(start) {
        Ok(server) => Some(server),
        Err(error) => panic!("{error}"),
    }
}

/// A URL to a new, empty database on the server (`None` when opted out).
pub async fn fresh_database() -> Option<String> {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let server = server()?;
    let name = format!("contract_{}", NEXT.fetch_add(1, Ordering::Relaxed));
    let admin = format!("postgres://{SUPERUSER}@127.0.0.1:{}/postgres", server.port);
    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .expect("connect to the test server");
    let connection = tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE template0"))
        .await
        .expect("create a test database");
    drop(client);
    let _ = connection.await;
    Some(format!(
        "postgres://{SUPERUSER}@127.0.0.1:{}/{name}",
        server.port
    ))
}

fn start() -> Result<Server, String> {
    let bin =
        std::env::var_os("EMCEE_PG_BIN").map_or_else(|| PathBuf::from(DEFAULT_BIN), PathBuf::from);
    if !bin.join("initdb").exists() || !bin.join("pg_ctl").exists() {
        return Err(format!(
            "PostgreSQL's server binaries are missing: no initdb and pg_ctl in {}. These tests \
             start a throwaway server themselves: install PostgreSQL 15 (`apt-get install \
             postgresql-15`), or point EMCEE_PG_BIN at the folder holding initdb and pg_ctl, \
             or opt out explicitly with EMCEE_SKIP_POSTGRES=1",
            bin.display()
        ));
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("emcee-pg-{}-{nanos:x}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let as_root = is_root(&dir);
    if as_root {
        run(
            Command::new("chown")
                .arg(format!("{SERVER_USER}:"))
                .arg(&dir),
            &dir,
        )?;
    }
    watch(&bin, &dir, as_root)?;
    let data = dir.join("data");
    let mut initdb = server_command(&bin, "initdb", as_root);
    run(
        initdb.arg("-D").arg(&data).args([
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        ]),
        &dir,
    )?;
    let port = free_port()?;
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=300",
        dir.display()
    );
    let mut pg_ctl = server_command(&bin, "pg_ctl", as_root);
    pg_ctl
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(dir.join("server.log"))
        .args(["-w", "-t", "60", "-o", &options, "start"]);
    run(&mut pg_ctl, &dir).map_err(|error| {
        let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        format!("{error}\nserver log:\n{log}")
    })?;
    Ok(Server {
        port,
        bin,
        data,
        log: dir.join("server.log"),
        as_root,
        options,
    })
}

/// Whether this process runs as root: the owner of a folder it just made.
fn is_root(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).is_ok_and(|meta| meta.uid() == 0)
}

/// `bin/name`, run as the server's user when we are root.
fn server_command(bin: &Path, name: &str, as_root: bool) -> Command {
    let program = bin.join(name);
    if as_root {
        let mut command = Command::new("runuser");
        command.args(["-u", SERVER_USER, "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// Runs `command` to the end, its output to a file in `dir` (a pipe would
/// be held open by the server it starts).
fn run(command: &mut Command, dir: &Path) -> Result<(), String> {
    let output = dir.join("command.out");
    let file = std::fs::File::create(&output).map_err(|e| e.to_string())?;
    let errors = file.try_clone().map_err(|e| e.to_string())?;
    let status = command
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(errors)
        .status()
        .map_err(|error| format!("{command:?}: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        let said = std::fs::read_to_string(&output).unwrap_or_default();
        Err(format!("{command:?} failed ({status}):\n{said}"))
    }
}

/// Starts the process that stops the server and removes `dir` once this
/// test binary has exited.
fn watch(bin: &Path, dir: &Path, as_root: bool) -> Result<(), String> {
    let stop = if as_root {
        format!("runuser -u {SERVER_USER} -- {}/pg_ctl", bin.display())
    } else {
        format!("{}/pg_ctl", bin.display())
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; \
         {stop} -D '{dir}/data' stop -m immediate >/dev/null 2>&1; rm -rf '{dir}'",
        pid = std::process::id(),
        dir = dir.display(),
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|error| format!("starting the server's watchdog: {error}"))
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(|e| e.to_string())
}
