//! The window loop's transport between processes: timely dataflow.
//!
//! Each timely worker runs one partition: partition `process × threads + thread`, which is
//! timely's worker index. A window is one epoch of one small dataflow: every worker puts its events for other
//! partitions and one minimum record per partition into an input, an `Exchange` keyed by partition
//! delivers them, and a probe after the receiving operator says when every worker's records of the
//! epoch have arrived. At the end, every partition but 0 ships its end state (its kernel's, and
//! what the caller packs of its world) to partition 0 in one last epoch, so that process 0 alone
//! holds the whole run's end state and writes the output.
//!
//! The processes connect before the world is built ([`connect`]): with a timeout, and a handshake
//! that refuses a peer running a different run. A peer that dies mid-run breaks its connection;
//! timely then stops this process's workers and [`run`] returns an error.

use super::{run_windows, Exchanged, PartitionStats, Stopped, Transport};
use crate::actor::ActorId;
use crate::kernel::{Kernel, KernelEnd, World};
use crate::partition::Partitioning;
use crate::queue::Event;
use crate::time::SimTime;
use ::timely::communication::allocator::zero_copy::initialize::initialize_networking_from_sockets;
use ::timely::communication::allocator::{AllocatorBuilder, ProcessBuilder};
use ::timely::communication::{Config as Communication, Hooks};
use ::timely::container::CapacityContainerBuilder;
use ::timely::dataflow::channels::pact::Exchange;
use ::timely::dataflow::operators::{Input, Operator, Probe};
use ::timely::dataflow::{InputHandle, ProbeHandle};
use ::timely::worker::Worker;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::panic::resume_unwind;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// This process's place among the processes of one run.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// Processes in the run (timely's `-n`).
    pub processes: usize,
    /// This process's index (timely's `-p`), `0..processes`.
    pub process: usize,
    /// Partitions (timely workers) in each process.
    pub threads: usize,
    /// Every process's `host:port`, by index (one line each of timely's hostfile, `-h`).
    pub addresses: Vec<String>,
    /// How long to wait for every peer to connect.
    pub connect_timeout: Duration,
    /// What every process of the run must agree on (a hash of the run's scenario and counts): a
    /// peer with another is refused.
    pub check: u64,
}

/// First word of the handshake: this protocol, this version.
const MAGIC: u64 = u64::from_le_bytes(*b"dccsim01");

/// The processes of a run, connected ([`connect`]), ready to [`run`].
pub struct Connected {
    cluster: Cluster,
    /// A stream to every other process, `None` at this one's index.
    sockets: Vec<Option<TcpStream>>,
}

/// Connects this process to every other of the run (to those before it, accepting those after
/// it), each side checking the other's handshake; gives up after the cluster's timeout. With one
/// process there is nothing to connect.
pub fn connect(cluster: Cluster) -> Result<Connected, String> {
    let (n, me) = (cluster.processes, cluster.process);
    assert!(me < n && cluster.addresses.len() == n && cluster.threads >= 1);
    let mut sockets: Vec<Option<TcpStream>> = (0..n).map(|_| None).collect();
    if n == 1 {
        return Ok(Connected { cluster, sockets });
    }
    let deadline = Instant::now() + cluster.connect_timeout;
    let here = &cluster.addresses[me];
    let listener = TcpListener::bind(here.as_str())
        .map_err(|e| format!("process {me} cannot listen on {here}: {e}"))?;
    let hello = |to: &mut TcpStream| -> std::io::Result<()> {
        let mut words = Vec::with_capacity(24);
        for w in [MAGIC, me as u64, cluster.check] {
            words.extend_from_slice(&w.to_le_bytes());
        }
        to.write_all(&words)
    };
    let heard = |from: &mut TcpStream| -> Result<usize, String> {
        let left = deadline.saturating_duration_since(Instant::now());
        from.set_read_timeout(Some(left.max(Duration::from_millis(10))))
            .map_err(|e| e.to_string())?;
        let mut buf = [0u8; 24];
        from.read_exact(&mut buf)
            .map_err(|e| format!("no handshake ({e})"))?;
        let word =
            |i: usize| u64::from_le_bytes(buf[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
        if word(0) != MAGIC {
            return Err("not a dccsim process of this version".into());
        }
        let (peer, check) = (word(1) as usize, word(2));
        if peer >= n || peer == me {
            return Err(format!("says it is process {peer} of {n}"));
        }
        if check != cluster.check {
            return Err(format!(
                "process {peer} runs a different run (scenario, --set, seed, -n or --workers differ)"
            ));
        }
        from.set_read_timeout(None).map_err(|e| e.to_string())?;
        Ok(peer)
    };
    for (peer, address) in cluster.addresses.iter().enumerate().take(me) {
        let mut stream = loop {
            match TcpStream::connect(address.as_str()) {
                Ok(s) => break s,
                Err(e) if Instant::now() >= deadline => {
                    return Err(format!(
                        "process {me} could not reach process {peer} at {address} within {:?}: {e}",
                        cluster.connect_timeout
                    ))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        };
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        hello(&mut stream).map_err(|e| format!("process {peer} at {address}: {e}"))?;
        match heard(&mut stream) {
            Ok(p) if p == peer => sockets[peer] = Some(stream),
            Ok(p) => return Err(format!("{address} answered as process {p}, not {peer}")),
            Err(e) => return Err(format!("process {peer} at {address}: {e}")),
        }
    }
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    while sockets.iter().skip(me + 1).any(Option::is_none) {
        match listener.accept() {
            Ok((mut stream, from)) => {
                stream.set_nonblocking(false).map_err(|e| e.to_string())?;
                stream.set_nodelay(true).map_err(|e| e.to_string())?;
                let peer = heard(&mut stream).map_err(|e| format!("a peer at {from}: {e}"))?;
                if peer < me || sockets[peer].is_some() {
                    return Err(format!("process {peer} connected twice, or out of turn"));
                }
                hello(&mut stream).map_err(|e| format!("process {peer} at {from}: {e}"))?;
                sockets[peer] = Some(stream);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    let missing: Vec<String> = (me + 1..n)
                        .filter(|&p| sockets[p].is_none())
                        .map(|p| format!("{p} ({})", cluster.addresses[p]))
                        .collect();
                    return Err(format!(
                        "process {me} waited {:?} at {here} for process(es) {} to connect",
                        cluster.connect_timeout,
                        missing.join(", ")
                    ));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(format!("process {me} listening on {here}: {e}")),
        }
    }
    Ok(Connected { cluster, sockets })
}

/// What travels through the exchange.
#[derive(Clone, Serialize, Deserialize)]
enum Wire<M> {
    /// An event for another partition's actor.
    Event(Event<M>),
    /// A partition's minimum after a window, and whether it failed, to partition `to`.
    Min { to: u32, min: u64, failed: bool },
    /// A partition's end state (bincode of [`Shipped`]), to partition 0.
    End { from: u32, bytes: Vec<u8> },
}

/// A partition's end state as shipped to partition 0.
#[derive(Serialize, Deserialize)]
struct Shipped<M, P> {
    kernel: KernelEnd<M>,
    stats: PartitionStats,
    world: P,
}

/// What each epoch's minimum records came to: (least minimum, records, any failed).
type Mins = BTreeMap<u64, (u64, usize, bool)>;

/// The packed end states partition 0 received, by partition.
type Ends = Rc<RefCell<Vec<(u32, Vec<u8>)>>>;

/// A worker's outcome: partition 0's end, nothing for the others, or why the run failed.
type Outcome<M, W, P> = Result<Option<Ended<M, W, P>>, String>;

/// This process's partitions, each taken by its worker.
type Slots<M, W> = Arc<Mutex<Vec<Option<(Kernel<M>, W)>>>>;

/// The timely transport of one worker: its input, probe and what its "Deliver" operator received.
struct OverTimely<'w, M: Clone + Send + 'static> {
    worker: &'w mut Worker,
    input: InputHandle<u64, CapacityContainerBuilder<Vec<Wire<M>>>>,
    probe: ProbeHandle<u64>,
    epoch: u64,
    inbox: Rc<RefCell<Vec<Event<M>>>>,
    mins: Rc<RefCell<Mins>>,
    ends: Ends,
}

impl<M: Clone + Send + Serialize + DeserializeOwned + 'static> OverTimely<'_, M> {
    /// Sends `batch` at the current epoch, closes it and steps until every worker's records of
    /// it have arrived; returns the epoch closed.
    fn round(&mut self, batch: &mut Vec<Wire<M>>) -> u64 {
        let e = self.epoch;
        self.input.send_batch(batch);
        self.epoch += 1;
        self.input.advance_to(self.epoch);
        while self.probe.less_than(&self.epoch) {
            self.worker.step_or_park(None);
        }
        e
    }
}

impl<M: Clone + Send + Serialize + DeserializeOwned + 'static> Transport<M> for OverTimely<'_, M> {
    fn exchange(&mut self, out: Vec<Event<M>>, min: u64, failed: bool) -> Exchanged<M> {
        let peers = self.worker.peers();
        let mut batch: Vec<Wire<M>> = out.into_iter().map(Wire::Event).collect();
        batch.extend((0..peers as u32).map(|to| Wire::Min { to, min, failed }));
        let e = self.round(&mut batch);
        let (gmin, n, failed) = self
            .mins
            .borrow_mut()
            .remove(&e)
            .expect("every partition reports its minimum");
        assert_eq!(n, peers, "one minimum from every partition");
        Exchanged {
            inbox: std::mem::take(&mut *self.inbox.borrow_mut()),
            gmin,
            failed,
        }
    }
}

/// Partition 0's end of a run on timely: its kernel, holding every partition's end state
/// (pending events, event count, metrics), its world, what each partition did, and the packed
/// worlds of partitions `1..` in order.
pub struct Ended<M, W, P> {
    pub kernel: Kernel<M>,
    pub world: W,
    pub stats: Vec<PartitionStats>,
    pub worlds: Vec<P>,
}

/// Runs this process's partitions — `parts[t]` is partition `process × threads + t`, its kernel
/// with the run's partitioning and [`Kernel::keep_only`] done — over timely with the other
/// processes of `connected`, up to `end`. Every partition but 0 ships its kernel's end state and
/// `pack(world, partition)` to partition 0. Process 0 gets [`Ended`]; the others `None`.
pub fn run<W, P>(
    connected: Connected,
    parts: Vec<(Kernel<W::Msg>, W)>,
    end: SimTime,
    pack: impl Fn(&W, u32) -> P + Send + Sync + 'static,
) -> Outcome<W::Msg, W, P>
where
    W: World + Send + 'static,
    W::Msg: Clone + Send + Serialize + DeserializeOwned + 'static,
    P: Serialize + DeserializeOwned + Send + 'static,
{
    let Connected { cluster, sockets } = connected;
    assert_eq!(parts.len(), cluster.threads, "one partition a thread");
    let partitioning = parts[0]
        .0
        .partitioning()
        .expect("a partitioned run has a partitioning")
        .clone();
    assert_eq!(
        partitioning.parts() as usize,
        cluster.processes * cluster.threads,
        "one partition a timely worker"
    );
    let first = cluster.process * cluster.threads;
    let slots: Slots<W::Msg, W> = Arc::new(Mutex::new(parts.into_iter().map(Some).collect()));
    let (builders, others): (Vec<AllocatorBuilder>, Box<dyn std::any::Any + Send>) =
        if cluster.processes == 1 {
            Communication::Process(cluster.threads).try_build()?
        } else {
            let hooks = Hooks::default();
            let local = ProcessBuilder::new_typed_vector(
                cluster.threads,
                hooks.refill.clone(),
                hooks.spill.clone(),
            );
            let (tcp, guard) = initialize_networking_from_sockets(
                local,
                sockets,
                cluster.process,
                cluster.threads,
                hooks,
            )
            .map_err(|e| format!("cannot start the exchange between processes: {e}"))?;
            (
                tcp.into_iter().map(AllocatorBuilder::Tcp).collect(),
                Box::new(guard),
            )
        };
    let guards = ::timely::execute::execute_from(
        builders,
        others,
        ::timely::WorkerConfig::default(),
        move |worker| {
            let me = worker.index();
            let (kernel, world) = slots.lock().unwrap_or_else(|e| e.into_inner())[me - first]
                .take()
                .expect("each partition runs once");
            partition(worker, kernel, world, end, &partitioning, &pack)
        },
    )?;
    let mut ended = None;
    let mut failure = None;
    for result in guards.join() {
        match result {
            Ok(Ok(Some(e))) => ended = Some(e),
            Ok(Ok(None)) => {}
            Ok(Err(e)) => failure = failure.or(Some(e)),
            Err(_) => {
                failure = failure.or(Some(
                    "the connection to another process of the run broke (it stopped, or the \
                     network failed) before the run ended"
                        .to_string(),
                ))
            }
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(ended),
    }
}

/// One timely worker: builds the dataflow, waits for every worker, runs its partition's windows
/// and ships (or, partition 0, gathers) the end state.
fn partition<W, P>(
    worker: &mut Worker,
    mut kernel: Kernel<W::Msg>,
    mut world: W,
    end: SimTime,
    partitioning: &Partitioning,
    pack: &impl Fn(&W, u32) -> P,
) -> Outcome<W::Msg, W, P>
where
    W: World,
    W::Msg: Clone + Send + Serialize + DeserializeOwned + 'static,
    P: Serialize + DeserializeOwned,
{
    let me = worker.index() as u32;
    let peers = worker.peers();
    let inbox: Rc<RefCell<Vec<Event<W::Msg>>>> = Rc::default();
    let mins: Rc<RefCell<Mins>> = Rc::default();
    let ends: Ends = Rc::default();
    let mut input = InputHandle::new();
    let probe = ProbeHandle::new();
    {
        let (inbox, mins, ends) = (inbox.clone(), mins.clone(), ends.clone());
        let route = partitioning.clone();
        worker.dataflow::<u64, _, _>(|scope| {
            scope
                .input_from(&mut input)
                .unary::<CapacityContainerBuilder<Vec<()>>, _, _, _>(
                    Exchange::new(move |w: &Wire<W::Msg>| match w {
                        Wire::Event(e) => u64::from(route.of(ActorId::from_raw(e.to))),
                        Wire::Min { to, .. } => u64::from(*to),
                        Wire::End { .. } => 0,
                    }),
                    "Deliver",
                    move |_capability, _info| {
                        // This operator emits nothing: its capability is dropped here.
                        move |input, _output| {
                            input.for_each(|cap, data| {
                                let epoch = *cap.stamp().least().expect("a message has a time");
                                for w in data.drain(..) {
                                    match w {
                                        Wire::Event(e) => inbox.borrow_mut().push(e),
                                        Wire::Min { min, failed, .. } => {
                                            let mut mins = mins.borrow_mut();
                                            let m =
                                                mins.entry(epoch).or_insert((u64::MAX, 0, false));
                                            *m = (m.0.min(min), m.1 + 1, m.2 || failed);
                                        }
                                        Wire::End { from, bytes } => {
                                            ends.borrow_mut().push((from, bytes))
                                        }
                                    }
                                }
                            });
                        }
                    },
                )
                .probe_with(&probe);
        });
    }
    let mut transport = OverTimely {
        worker,
        input,
        probe,
        epoch: 0,
        inbox,
        mins,
        ends,
    };
    // An empty first epoch: no partition starts before every worker of every process is up.
    transport.round(&mut Vec::new());
    let stats = match run_windows(&mut kernel, &mut world, end, &mut transport) {
        Ok(stats) => stats,
        Err(Stopped::Panicked(p)) => resume_unwind(p),
        Err(Stopped::Elsewhere) => return Err("another partition of the run failed".into()),
    };
    // The last epoch: every partition's end state to partition 0.
    let mut last = Vec::new();
    if me != 0 {
        let shipped = Shipped {
            stats,
            world: pack(&world, me),
            kernel: kernel.into_end(),
        };
        let bytes = bincode::serialize(&shipped).map_err(|e| format!("packing the end: {e}"))?;
        last.push(Wire::End { from: me, bytes });
        transport.round(&mut last);
        return Ok(None);
    }
    transport.round(&mut last);
    let mut ends = std::mem::take(&mut *transport.ends.borrow_mut());
    ends.sort_by_key(|e| e.0);
    assert_eq!(ends.len(), peers - 1, "every other partition's end arrived");
    let mut all = vec![stats];
    let mut worlds = Vec::with_capacity(peers - 1);
    for (_, bytes) in ends {
        let s: Shipped<W::Msg, P> =
            bincode::deserialize(&bytes).map_err(|e| format!("unpacking an end: {e}"))?;
        kernel.absorb_end(s.kernel);
        all.push(s.stats);
        worlds.push(s.world);
    }
    Ok(Some(Ended {
        kernel,
        world,
        stats: all,
        worlds,
    }))
}
