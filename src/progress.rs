//! The progress line: simulated time, % done and events/s, on a terminal only.
//!
//! It reads the wall clock, which is why it lives here and never in the kernel: nothing it sees
//! flows back into results.

use dccsim_sim::SimTime;
use std::io::{IsTerminal, Write};
use std::time::Instant;

pub struct Progress {
    enabled: bool,
    started: Instant,
    end: SimTime,
    shown: bool,
}

impl Progress {
    /// Shows progress only when stderr is a terminal and the user did not ask for quiet.
    pub fn new(end: SimTime, quiet: bool) -> Self {
        Progress {
            enabled: !quiet && std::io::stderr().is_terminal(),
            started: Instant::now(),
            end,
            shown: false,
        }
    }

    pub fn update(&mut self, now: SimTime, events: u64) {
        if !self.enabled {
            return;
        }
        let pct = if self.end.as_micros() == 0 {
            100.0
        } else {
            100.0 * now.as_micros() as f64 / self.end.as_micros() as f64
        };
        let rate = events as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
        eprint!("\r  sim {now}  {pct:5.1}%  {:>6.2} M events/s ", rate / 1e6);
        let _ = std::io::stderr().flush();
        self.shown = true;
    }

    pub fn finish(&mut self) {
        if self.shown {
            eprint!("\r{:60}\r", "");
        }
    }

    pub fn elapsed_secs(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }
}
