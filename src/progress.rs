//! A one-line spinner on stderr for the slow steps of a command (fetching a
//! URL, reading a big schedule), so an organiser at a terminal sees that
//! emcee is working and on what.
//!
//! It shows only when stderr is a terminal, and only once a step has taken
//! longer than [`DELAY`]: a quick step, a pipe, a log file or a test sees
//! nothing. The line is erased when the step ends, so what the command prints
//! afterwards starts on a clean line. A small thread draws it, so it keeps
//! turning while the step blocks a worker.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a step runs before the spinner shows.
const DELAY: Duration = Duration::from_millis(300);
/// How often the spinner turns.
const TICK: Duration = Duration::from_millis(100);
const FRAMES: [char; 4] = ['|', '/', '-', '\\'];

/// A step in progress; the line goes when it is dropped.
pub struct Progress {
    running: Option<(Sender<()>, JoinHandle<()>)>,
}

impl Progress {
    /// Starts a spinner saying `what` ("fetching https://…"), when stderr is
    /// a terminal.
    pub fn start(what: &str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self { running: None };
        }
        let what = crate::render::text::for_terminal(what).replace('\n', " ");
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || spin(&what, &stopped));
        match thread {
            Ok(thread) => Self {
                running: Some((stop, thread)),
            },
            // No spinner is no failure.
            Err(_) => Self { running: None },
        }
    }
}

fn spin(what: &str, stopped: &mpsc::Receiver<()>) {
    let started = Instant::now();
    if !matches!(stopped.recv_timeout(DELAY), Err(RecvTimeoutError::Timeout)) {
        return;
    }
    let mut frame = 0;
    loop {
        let seconds = started.elapsed().as_secs_f64();
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{} {what} ({seconds:.1} s)",
            FRAMES[frame % FRAMES.len()]
        );
        let _ = err.flush();
        drop(err);
        frame += 1;
        if !matches!(stopped.recv_timeout(TICK), Err(RecvTimeoutError::Timeout)) {
            break;
        }
    }
    // Carriage return, then erase the line (ECMA-48 EL).
    let _ = write!(std::io::stderr().lock(), "\r\u{1b}[2K");
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some((stop, thread)) = self.running.take() {
            let _ = stop.send(());
            let _ = thread.join();
        }
    }
}
