//! Building per-premises tables on several threads. Each premises' build draws come from the
//! builder streams at positions fixed by its number, so a chunk of premises draws the same
//! numbers on any thread: the chunks are joined in premises order and the world is bit-identical
//! whatever the thread count (`dccsim run --build-threads N`).

use dccsim_sim::BuilderStreams;

/// Fewest premises worth a thread of their own: below this, spawning costs more than it saves.
const MIN_PREMISES_PER_THREAD: u32 = 65_536;

/// How many threads build the world's per-premises tables; results never depend on it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct BuildThreads(usize);

impl BuildThreads {
    /// `n` threads (at least one).
    pub fn new(n: usize) -> Self {
        BuildThreads(n.max(1))
    }

    /// One thread per core the process may use.
    pub fn available() -> Self {
        BuildThreads::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    pub fn get(self) -> usize {
        self.0
    }
}

impl Default for BuildThreads {
    fn default() -> Self {
        BuildThreads::available()
    }
}

/// `[f(0), f(1), …, f(n - 1)]`, computed in contiguous chunks on up to `threads` threads, each
/// with its own copy of `streams`, writing its own part of the table.
pub fn per_premises<T, F>(n: u32, threads: BuildThreads, streams: &BuilderStreams, f: F) -> Vec<T>
where
    T: Copy + Default + Send,
    F: Fn(u32, &mut BuilderStreams) -> T + Sync,
{
    let chunks = threads
        .get()
        .min((n / MIN_PREMISES_PER_THREAD) as usize)
        .max(1);
    let mut out = vec![T::default(); n as usize];
    let fill = |first: usize, part: &mut [T], mut s: BuilderStreams| {
        for (k, o) in part.iter_mut().enumerate() {
            *o = f((first + k) as u32, &mut s);
        }
    };
    if chunks == 1 {
        fill(0, &mut out, streams.clone());
        return out;
    }
    let per_chunk = (n as usize).div_ceil(chunks);
    std::thread::scope(|scope| {
        for (c, part) in out.chunks_mut(per_chunk).enumerate() {
            let (fill, s) = (&fill, streams.clone());
            scope.spawn(move || fill(c * per_chunk, part, s));
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use dccsim_sim::RandomStreams;

    #[test]
    fn any_thread_count_gives_the_serial_table() {
        let streams = BuilderStreams::new(&RandomStreams::new(5));
        let draw = |i: u32, s: &mut BuilderStreams| {
            let mut draws = u64::from(i) * 3;
            let mut rng = s.rng(7, &mut draws);
            (rng.uniform().to_bits() ^ rng.below(1000), i)
        };
        let n = 3 * MIN_PREMISES_PER_THREAD + 17;
        let serial = per_premises(n, BuildThreads::new(1), &streams, draw);
        assert!(serial.iter().enumerate().all(|(i, &(_, p))| p == i as u32));
        for threads in [2, 3, 4, 7] {
            let parallel = per_premises(n, BuildThreads::new(threads), &streams, draw);
            assert!(parallel == serial, "{threads} threads");
        }
        assert!(per_premises(0, BuildThreads::new(4), &streams, draw).is_empty());
    }
}
