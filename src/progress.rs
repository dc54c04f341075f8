//! Progress lines on `indicatif`, on a terminal only (stderr is a TTY) and never with `--quiet`:
//! a run shows simulated time, % done, events/s and ETA; a sweep shows runs done/total and ETA.
//!
//! They read the wall clock, which is why they live here and never in the kernel: nothing they
//! see flows back into results.

use dccsim_sim::SimTime;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Whether a progress line may be drawn: stderr is a terminal and the user did not ask for quiet.
pub fn wanted(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// A bar that draws nothing unless `show`; redraws at most 10 times a second.
fn bar(len: u64, show: bool, template: &str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template(template)
        .expect("the progress templates are fixed and valid")
        .progress_chars("#>-");
    ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr_with_hz(10))
        .with_style(style)
}

/// The progress of one simulation; the bar's position is simulated time in µs, so its ETA is the
/// wall time left at the simulated-time rate so far.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    end: SimTime,
    last_message: Option<Instant>,
}

impl Progress {
    pub fn new(end: SimTime, quiet: bool) -> Self {
        Progress {
            bar: bar(
                end.as_micros(),
                wanted(quiet),
                "  sim {msg} {percent:>3}% [{bar:30}] ETA {eta}",
            ),
            started: Instant::now(),
            end,
            last_message: None,
        }
    }

    /// Called by the kernel every 2^20 events with the simulated time and events so far.
    pub fn update(&mut self, now: SimTime, events: u64) {
        if self.bar.is_hidden() {
            return;
        }
        let fresh = self
            .last_message
            .is_some_and(|t| t.elapsed() < Duration::from_millis(100));
        if !fresh {
            let rate = events as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
            self.bar
                .set_message(format!("{now}  {:>6.2} M events/s", rate / 1e6));
            self.last_message = Some(Instant::now());
        }
        self.bar
            .set_position(now.as_micros().min(self.end.as_micros()));
    }

    /// Removes the line, leaving the terminal as it was.
    pub fn finish(&mut self) {
        self.bar.finish_and_clear();
    }

    pub fn elapsed_secs(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }
}

/// The progress of a sweep: runs done out of `total`, elapsed and ETA.
pub fn runs(total: usize, show: bool) -> ProgressBar {
    bar(
        total as u64,
        show,
        "  [{bar:30}] {pos}/{len} runs  {elapsed} elapsed  ETA {eta}",
    )
}
