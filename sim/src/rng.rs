//! Per-actor random streams that depend only on `(run seed, actor identity, draw count)`.
//!
//! The `k`-th 64-bit draw of stream `s` is word `k` of the ChaCha8 keystream with key derived from
//! the run seed and ChaCha's 64-bit stream number set to `s` — the very numbers
//! `rand_chacha::ChaCha8Rng` yields after `set_stream(s)` and `set_word_pos(2k)` (a unit test
//! holds us to that). An actor therefore stores only its draw count (8 bytes), not a 300-byte
//! generator, and adding an actor or a draw elsewhere never shifts its numbers. A small
//! direct-mapped cache of computed blocks makes busy actors (DSP, CSPs, suppliers) pay for one
//! ChaCha block per eight draws; the cache memoises a pure function, so it cannot change results.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Number of 64-bit draws in one ChaCha block.
const DRAWS_PER_BLOCK: u64 = 8;
/// Block-cache slots (80 bytes each, 2.5 MiB per run). Measured on PHOLD with 10,000 LPs: 2^15
/// beats 2^11 (hits too rare) and 2^17 (slots too far from the CPU) by about 10%.
const CACHE_SLOTS: usize = 1 << 15;

/// The run's keystream generator and its block cache. One per run.
pub struct RandomStreams {
    key: [u32; 8],
    cache: Box<[CachedBlock]>,
}

#[derive(Copy, Clone)]
struct CachedBlock {
    /// `stream + 1`, so that zero marks an empty slot.
    tag: u64,
    block: u64,
    words: [u64; DRAWS_PER_BLOCK as usize],
}

impl RandomStreams {
    /// Streams for a run with this seed. The ChaCha key is `ChaCha8Rng::seed_from_u64(seed)`'s seed.
    pub fn new(seed: u64) -> Self {
        let seed_bytes = ChaCha8Rng::seed_from_u64(seed).get_seed();
        let mut key = [0u32; 8];
        for (i, k) in key.iter_mut().enumerate() {
            *k = u32::from_le_bytes(seed_bytes[4 * i..4 * i + 4].try_into().unwrap());
        }
        RandomStreams {
            key,
            cache: vec![
                CachedBlock {
                    tag: 0,
                    block: 0,
                    words: [0; 8]
                };
                CACHE_SLOTS
            ]
            .into_boxed_slice(),
        }
    }

    /// The `draw`-th 64-bit number of `stream`.
    #[inline]
    pub fn word(&mut self, stream: u64, draw: u64) -> u64 {
        let block = draw / DRAWS_PER_BLOCK;
        let slot = Self::slot(stream, block);
        let entry = &self.cache[slot];
        let words = if entry.tag == stream.wrapping_add(1) && entry.block == block {
            &entry.words
        } else {
            self.fill(slot, stream, block)
        };
        words[(draw % DRAWS_PER_BLOCK) as usize]
    }

    /// Starts loading the cache slot that draw `draw` of `stream` uses: a hint for the kernel,
    /// which knows a few events ahead which actor will draw next.
    #[inline]
    pub fn prefetch(&self, stream: u64, draw: u64) {
        let entry = &self.cache[Self::slot(stream, draw / DRAWS_PER_BLOCK)];
        crate::prefetch::prefetch(entry);
        crate::prefetch::prefetch(&entry.words[DRAWS_PER_BLOCK as usize - 1]);
    }

    #[inline(always)]
    fn slot(stream: u64, block: u64) -> usize {
        ((stream.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize ^ block as usize)
            & (CACHE_SLOTS - 1)
    }

    /// The cache-miss path of [`Self::word`], kept out of line so that the hit path inlines.
    #[inline(never)]
    fn fill(&mut self, slot: usize, stream: u64, block: u64) -> &[u64; DRAWS_PER_BLOCK as usize] {
        let words = chacha8_block(&self.key, stream, block);
        let entry = &mut self.cache[slot];
        *entry = CachedBlock {
            tag: stream.wrapping_add(1),
            block,
            words,
        };
        &entry.words
    }

    /// The same keystream with an empty cache of its own: draws from it equal this one's, so a
    /// world builder can hand one to each thread.
    pub fn fork(&self) -> Self {
        let mut fork = RandomStreams::new(0);
        fork.key = self.key;
        fork
    }

    /// A generator over `stream` that advances `draws`, the caller's stored draw count.
    #[inline]
    pub fn stream<'a>(&'a mut self, stream: u64, draws: &'a mut u64) -> StreamRng<'a> {
        StreamRng {
            streams: self,
            stream,
            draws,
        }
    }
}

/// The stream number of world-builder purpose `purpose`: above every actor's stream.
#[inline]
pub(crate) fn builder_stream(purpose: u32) -> u64 {
    (1u64 << 32) | purpose as u64
}

/// The run's builder streams, owned: what `Kernel::builder_rng` draws from, for a world-building
/// thread (each thread its own copy, each draw the same number as the kernel's).
pub struct BuilderStreams(RandomStreams);

impl BuilderStreams {
    /// Builder streams of the run keyed by `streams`.
    pub fn new(streams: &RandomStreams) -> Self {
        BuilderStreams(streams.fork())
    }

    /// The builder stream of `purpose`, advancing `draws` (as `Kernel::builder_rng`).
    #[inline]
    pub fn rng<'a>(&'a mut self, purpose: u32, draws: &'a mut u64) -> StreamRng<'a> {
        self.0.stream(builder_stream(purpose), draws)
    }
}

impl Clone for BuilderStreams {
    /// Another copy with an empty cache of its own.
    fn clone(&self) -> Self {
        BuilderStreams(self.0.fork())
    }
}

/// A borrowed view of one actor's stream, usable with any `rand` distribution.
pub struct StreamRng<'a> {
    streams: &'a mut RandomStreams,
    stream: u64,
    draws: &'a mut u64,
}

impl StreamRng<'_> {
    /// A uniform number in `[0, 1)` with 53 random bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in `0..n` (Lemire's multiply-shift; bias below 2^-32 for n < 2^32).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// An exponential variate with the given mean: `rand_distr`'s ziggurat (one draw and a table
    /// look-up almost always; about 10% faster PHOLD than inversion with `log`).
    #[inline]
    pub fn exp(&mut self, mean: f64) -> f64 {
        mean * rand_distr::Distribution::<f64>::sample(&rand_distr::Exp1, self)
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }
}

impl RngCore for StreamRng<'_> {
    /// One draw, truncated: a `u32` costs as much of the stream as a `u64`.
    #[inline]
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        let w = self.streams.word(self.stream, *self.draws);
        *self.draws += 1;
        w
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let w = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

/// The ChaCha input block for `(key, stream, block)`.
#[inline(always)]
fn chacha_input(key: &[u32; 8], stream: u64, block: u64) -> [u32; 16] {
    [
        0x6170_7865,
        0x3320_646e,
        0x7962_2d32,
        0x6b20_6574,
        key[0],
        key[1],
        key[2],
        key[3],
        key[4],
        key[5],
        key[6],
        key[7],
        block as u32,
        (block >> 32) as u32,
        stream as u32,
        (stream >> 32) as u32,
    ]
}

/// One ChaCha8 block (RFC 7539 layout with a 64-bit counter and 64-bit stream, as `rand_chacha`),
/// returned as eight little-endian 64-bit words. On x86_64 the four rows of the state live in
/// SSE2 registers, which is about twice as fast as the scalar version (PHOLD spent a third of its
/// time here). An AVX2 variant (byte shuffles for the 8- and 16-bit rotations) measured no faster.
#[cfg(target_arch = "x86_64")]
#[inline]
fn chacha8_block(key: &[u32; 8], stream: u64, block: u64) -> [u64; 8] {
    // SAFETY: the only requirement of a `target_feature(enable = "sse2")` function is that the CPU
    // has SSE2, and every x86_64 CPU does (it is part of the x86_64 baseline the target assumes).
    unsafe { chacha8_block_sse2(key, stream, block) }
}

/// [`chacha8_block`] with the state's rows in SSE2 registers, four quarter-rounds at once.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn chacha8_block_sse2(key: &[u32; 8], stream: u64, block: u64) -> [u64; 8] {
    use std::arch::x86_64::*;

    #[target_feature(enable = "sse2")]
    #[inline]
    fn rotl<const L: i32, const R: i32>(x: __m128i) -> __m128i {
        _mm_or_si128(_mm_slli_epi32::<L>(x), _mm_srli_epi32::<R>(x))
    }
    #[target_feature(enable = "sse2")]
    #[inline]
    fn rotl16(x: __m128i) -> __m128i {
        _mm_shufflehi_epi16::<0b10_11_00_01>(_mm_shufflelo_epi16::<0b10_11_00_01>(x))
    }
    #[target_feature(enable = "sse2")]
    #[inline]
    fn quarters(a: &mut __m128i, b: &mut __m128i, c: &mut __m128i, d: &mut __m128i) {
        *a = _mm_add_epi32(*a, *b);
        *d = rotl16(_mm_xor_si128(*d, *a));
        *c = _mm_add_epi32(*c, *d);
        *b = rotl::<12, 20>(_mm_xor_si128(*b, *c));
        *a = _mm_add_epi32(*a, *b);
        *d = rotl::<8, 24>(_mm_xor_si128(*d, *a));
        *c = _mm_add_epi32(*c, *d);
        *b = rotl::<7, 25>(_mm_xor_si128(*b, *c));
    }
    #[target_feature(enable = "sse2")]
    #[inline]
    fn row(x: &[u32; 16], i: usize) -> __m128i {
        _mm_set_epi32(
            x[4 * i + 3] as i32,
            x[4 * i + 2] as i32,
            x[4 * i + 1] as i32,
            x[4 * i] as i32,
        )
    }

    let input = chacha_input(key, stream, block);
    let (x0, x1, x2, x3) = (
        row(&input, 0),
        row(&input, 1),
        row(&input, 2),
        row(&input, 3),
    );
    let (mut a, mut b, mut c, mut d) = (x0, x1, x2, x3);
    for _ in 0..4 {
        // Column round, then the diagonal round on lane-rotated rows; rotate back.
        quarters(&mut a, &mut b, &mut c, &mut d);
        b = _mm_shuffle_epi32::<0b00_11_10_01>(b);
        c = _mm_shuffle_epi32::<0b01_00_11_10>(c);
        d = _mm_shuffle_epi32::<0b10_01_00_11>(d);
        quarters(&mut a, &mut b, &mut c, &mut d);
        b = _mm_shuffle_epi32::<0b10_01_00_11>(b);
        c = _mm_shuffle_epi32::<0b01_00_11_10>(c);
        d = _mm_shuffle_epi32::<0b00_11_10_01>(d);
    }
    let rows = [
        _mm_add_epi32(a, x0),
        _mm_add_epi32(b, x1),
        _mm_add_epi32(c, x2),
        _mm_add_epi32(d, x3),
    ];
    let mut out = [0u64; 8];
    for (i, r) in rows.into_iter().enumerate() {
        out[2 * i] = _mm_cvtsi128_si64(r) as u64;
        out[2 * i + 1] = _mm_cvtsi128_si64(_mm_unpackhi_epi64(r, r)) as u64;
    }
    out
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn chacha8_block(key: &[u32; 8], stream: u64, block: u64) -> [u64; 8] {
    chacha8_block_scalar(key, stream, block)
}

#[inline(always)]
fn quarter(s: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(16);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(12);
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(8);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(7);
}

/// The portable ChaCha8 block, also the reference the SIMD version is tested against.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline]
fn chacha8_block_scalar(key: &[u32; 8], stream: u64, block: u64) -> [u64; 8] {
    let input = chacha_input(key, stream, block);
    let mut s = input;
    for _ in 0..4 {
        quarter(&mut s, 0, 4, 8, 12);
        quarter(&mut s, 1, 5, 9, 13);
        quarter(&mut s, 2, 6, 10, 14);
        quarter(&mut s, 3, 7, 11, 15);
        quarter(&mut s, 0, 5, 10, 15);
        quarter(&mut s, 1, 6, 11, 12);
        quarter(&mut s, 2, 7, 8, 13);
        quarter(&mut s, 3, 4, 9, 14);
    }
    let mut out = [0u64; 8];
    for (i, o) in out.iter_mut().enumerate() {
        let lo = s[2 * i].wrapping_add(input[2 * i]) as u64;
        let hi = s[2 * i + 1].wrapping_add(input[2 * i + 1]) as u64;
        *o = lo | (hi << 32);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_rand_chacha_keystream() {
        for seed in [0u64, 7, u64::MAX] {
            let mut ours = RandomStreams::new(seed);
            for stream in [0u64, 1, 0x1234_5678, u64::MAX - 3] {
                let mut theirs = ChaCha8Rng::seed_from_u64(seed);
                theirs.set_stream(stream);
                for draw in 0..40u64 {
                    assert_eq!(
                        ours.word(stream, draw),
                        theirs.next_u64(),
                        "seed {seed} stream {stream} draw {draw}"
                    );
                }
                // Random access agrees with sequential reading.
                theirs.set_word_pos(2 * 1_000_003);
                assert_eq!(ours.word(stream, 1_000_003), theirs.next_u64());
            }
        }
    }

    #[test]
    fn simd_block_equals_scalar_block() {
        let key = [1, 2, 3, 0xdead_beef, 5, 6, 7, u32::MAX];
        for (stream, block) in [(0, 0), (9, 1 << 40), (u64::MAX, u64::MAX), (1 << 33, 17)] {
            assert_eq!(
                chacha8_block(&key, stream, block),
                chacha8_block_scalar(&key, stream, block)
            );
        }
    }

    #[test]
    fn a_streams_numbers_ignore_other_streams() {
        let mut a = RandomStreams::new(42);
        let mut b = RandomStreams::new(42);
        let (mut da, mut db) = (0u64, 0u64);
        let alone: Vec<u64> = (0..20).map(|_| a.stream(5, &mut da).next_u64()).collect();
        let mut other_draws = 0u64;
        let mixed: Vec<u64> = (0..20)
            .map(|i| {
                for _ in 0..i {
                    b.stream(6, &mut other_draws).next_u64();
                }
                b.stream(5, &mut db).next_u64()
            })
            .collect();
        assert_eq!(alone, mixed);
    }

    #[test]
    fn a_fork_draws_the_same_numbers() {
        let mut a = RandomStreams::new(9);
        let mut fork = a.fork();
        for (stream, draw) in [(0u64, 0u64), (3, 17), (1 << 32, 5), (3, 18)] {
            assert_eq!(a.word(stream, draw), fork.word(stream, draw));
        }
        let mut builder = BuilderStreams::new(&a).clone();
        let (mut da, mut db) = (4u64, 4u64);
        assert_eq!(
            a.stream(builder_stream(2), &mut da).next_u64(),
            builder.rng(2, &mut db).next_u64()
        );
        assert_eq!((da, db), (5, 5));
    }

    #[test]
    fn helpers_stay_in_range() {
        let mut s = RandomStreams::new(1);
        let mut d = 0;
        let mut r = s.stream(3, &mut d);
        for _ in 0..10_000 {
            let u = r.uniform();
            assert!((0.0..1.0).contains(&u));
            assert!(r.below(17) < 17);
            assert!(r.exp(2.0) >= 0.0);
        }
    }
}
