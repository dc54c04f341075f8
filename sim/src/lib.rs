//! # dccsim-sim: the deterministic discrete-event kernel
//!
//! The kernel knows nothing about meters. It runs a [`World`] — actors kept as plain structs in
//! per-kind `Vec`s and addressed by [`ActorId`] — by delivering timed messages in a total order
//! `(time, sender, sender's sequence number)`. That order does not depend on how actors would be
//! spread over threads or processes, which is what later lets partitioned runs equal sequential ones.
//!
//! * [`time`]: integer microseconds and durations with units.
//! * [`queue`]: the pending-event set, a monotone radix heap.
//! * [`rng`]: per-actor ChaCha8 streams addressed by `(seed, actor, draw count)`.
//! * [`metrics`]: counters, sampled gauges and HdrHistogram latency flows.
//! * [`partition`]: where each actor runs in a partitioned run, and its lookahead.
//! * [`windows`]: partitions side by side on threads, in conservative windows.
//! * [`phold`]: the PHOLD benchmark and its plain `BinaryHeap` baseline.
//!
//! ```
//! use dccsim_sim::{ActorId, Ctx, Kernel, Kind, SimDuration, SimTime, World};
//!
//! /// Two actors play ping-pong ten times, one millisecond per hop.
//! struct PingPong { hits: [u32; 2] }
//! impl World for PingPong {
//!     type Msg = u8;
//!     fn handle(&mut self, to: ActorId, left: u8, ctx: &mut Ctx<'_, u8>) {
//!         self.hits[to.index() as usize] += 1;
//!         if left > 0 {
//!             let other = ActorId::new(Kind(0), 1 - to.index());
//!             ctx.send(other, SimDuration::from_millis(1), left - 1);
//!         }
//!     }
//! }
//!
//! let mut kernel = Kernel::new(7, None);
//! kernel.ensure_actors(Kind(0), 2);
//! let a = ActorId::new(Kind(0), 0);
//! kernel.ctx_for(a).send(a, SimDuration::ZERO, 9);
//! let mut world = PingPong { hits: [0; 2] };
//! let stats = kernel.run(&mut world, SimTime(1_000_000), &mut |_, _| {});
//! assert_eq!(stats.events, 10);
//! assert_eq!(world.hits, [5, 5]);
//! ```

pub mod actor;
pub mod kernel;
pub mod metrics;
pub mod partition;
pub mod phold;
mod prefetch;
pub mod queue;
pub mod rng;
pub mod time;
pub mod windows;

pub use actor::{ActorId, Kind};
pub use kernel::{ActorClock, Ctx, Kernel, RunStats, World};
pub use metrics::{metric_name, CounterId, FlowId, GaugeId, Interval, Metrics};
pub use partition::Partitioning;
pub use rng::{BuilderStreams, RandomStreams, StreamRng};
pub use time::{SimDuration, SimTime};
