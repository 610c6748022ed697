//! `--serve ADDR` from start to end: the server is up before anything
//! runs (a taken port stops the command with exit 2), its address is on
//! stderr, and after the run it keeps serving until SIGINT or SIGTERM.

use super::hub::Hub;
use super::server::{ServeError, Server};
use crate::process::interrupt;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use std::sync::Arc;

/// A dashboard being served.
pub struct Dashboard {
    live: Arc<Hub>,
    server: Server,
}

impl Dashboard {
    /// Serves a run's dashboard at `addr`; the run's suite and mode are
    /// told later ([`Hub::describe`]).
    pub fn start(addr: &str) -> Result<Dashboard, ServeError> {
        Dashboard::serve(addr, Hub::new("", ""))
    }

    /// Serves `live`, as it already stands, at `addr`.
    pub fn serve(addr: &str, live: Arc<Hub>) -> Result<Dashboard, ServeError> {
        let server = Server::start(addr, Arc::clone(&live))?;
        let listening = server.addr();
        if !listening.ip().is_loopback() {
            eprintln!(
                "dashboard: listening on {listening}, which is not loopback: anyone who can reach \
                 this machine there can read the run's test names, stacks and output"
            );
        }
        eprintln!("dashboard: {}", server.url());
        Ok(Dashboard { live, server })
    }

    /// The live run it shows.
    pub fn live(&self) -> &Arc<Hub> {
        &self.live
    }

    /// The run ended with `code`: the page says so, and it is served until
    /// SIGINT or SIGTERM (at once, if the run itself was interrupted).
    /// Returns `code`.
    pub fn finish<C: Copy + Into<i32>>(self, code: C) -> C {
        // Registered before the check, so that no signal falls between.
        self.finish_on(code, ending_signals())
    }

    /// [`Dashboard::finish`], waiting on `signals`, registered earlier by a
    /// command that has no interruption handler of its own (`serve`): a
    /// signal sent as soon as the address was announced is not lost.
    pub fn finish_on<C: Copy + Into<i32>>(
        self,
        code: C,
        signals: std::io::Result<signal_hook::iterator::Signals>,
    ) -> C {
        self.live.end(code.into());
        if interrupt::signal().is_none() {
            eprintln!(
                "dashboard: the run has ended; still serving {} until interrupted (Ctrl-C)",
                self.server.url()
            );
            match signals {
                Ok(mut signals) => {
                    let _ = signals.forever().next();
                }
                Err(e) => eprintln!("dashboard: cannot wait for a signal ({e}); stopping"),
            }
        }
        drop(self.server);
        code
    }
}

/// The signals that end serving, registered now.
pub fn ending_signals() -> std::io::Result<signal_hook::iterator::Signals> {
    signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
}
