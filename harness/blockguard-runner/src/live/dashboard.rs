//! `--serve ADDR` from start to end: the server is up before anything
//! runs (a taken port stops the command with exit 2), its address is on
//! stderr, and after the run it keeps serving until SIGINT or SIGTERM.

use super::hub::Live;
use super::server::{ServeError, Server};
use crate::process::interrupt;
use std::sync::Arc;
use std::time::Duration;

/// A dashboard being served.
pub struct Dashboard {
    live: Arc<Live>,
    server: Server,
}

impl Dashboard {
    /// Serves a run's dashboard at `addr`; the run's suite and mode are
    /// told later ([`Live::describe`]).
    pub fn start(addr: &str) -> Result<Dashboard, ServeError> {
        let live = Live::new("", "");
        let server = Server::start(addr, Arc::clone(&live))?;
        let listening = server.addr();
        if !listening.ip().is_loopback() {
            eprintln!(
                "dashboard: listening on {listening}, which is not loopback: anyone who can reach \
                 this machine there can read the run's test names, stacks and output"
            );
        }
        eprintln!("dashboard: {}", server.url());
        live.follow();
        Ok(Dashboard { live, server })
    }

    /// The live run it shows.
    pub fn live(&self) -> &Arc<Live> {
        &self.live
    }

    /// The run ended with `code`: the page says so, and it is served until
    /// the process is interrupted (at once if the run itself was). Returns
    /// `code`.
    pub fn finish<C: Copy + Into<i32>>(self, code: C) -> C {
        self.live.end(code.into());
        interrupt::install();
        if interrupt::signal().is_none() {
            eprintln!(
                "dashboard: the run has ended; still serving {} until interrupted (Ctrl-C)",
                self.server.url()
            );
            while interrupt::signal().is_none() {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        drop(self.server);
        code
    }
}
