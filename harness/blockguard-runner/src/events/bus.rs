//! The consumers of one run's events.

use crate::schema::RunEvent;
use std::sync::Arc;

/// A consumer of a run's events. Called on the thread that emits, so it
/// must be quick and must not block on another consumer.
pub trait RunListener: Send + Sync {
    /// Takes one event.
    fn on(&self, event: &RunEvent);

    /// Whether it wants [`RunEvent::TestProgress`] while tests run (the
    /// final progress of each test comes to every consumer).
    fn follows(&self) -> bool {
        false
    }
}

/// The consumers of one run, each handed every event in order.
#[derive(Clone, Default)]
pub struct RunEvents {
    listeners: Vec<Arc<dyn RunListener>>,
}

impl RunEvents {
    /// A run with these consumers.
    pub fn new(listeners: Vec<Arc<dyn RunListener>>) -> RunEvents {
        RunEvents { listeners }
    }

    /// Adds a consumer.
    pub fn with(mut self, listener: Arc<dyn RunListener>) -> RunEvents {
        self.listeners.push(listener);
        self
    }

    /// Hands `event` to every consumer.
    pub fn emit(&self, event: &RunEvent) {
        for listener in &self.listeners {
            listener.on(event);
        }
    }

    /// Whether a consumer wants progress while tests run.
    pub fn followed(&self) -> bool {
        self.listeners.iter().any(|l| l.follows())
    }
}
