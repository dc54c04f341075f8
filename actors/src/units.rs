//! Quantities with units that scenarios write as strings: amounts of data and data rates.

use dccsim_sim::SimDuration;

/// An amount of data, in bytes (`"256KiB"`, `"1.5MB"`, `"512B"` in scenarios).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Bytes(pub u64);

impl Bytes {
    /// How many pieces of `chunk` bytes it takes to carry this much (the last may be short).
    pub fn chunks(self, chunk: Bytes) -> u32 {
        debug_assert!(chunk.0 > 0);
        self.0.div_ceil(chunk.0) as u32
    }
}

/// A data rate, in bits per second (`"2.4kbit/s"`, `"20Mbit/s"` in scenarios).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Bandwidth {
    pub bits_per_sec: u64,
}

impl Bandwidth {
    pub const fn kbit(k: u64) -> Bandwidth {
        Bandwidth {
            bits_per_sec: k * 1_000,
        }
    }

    pub const fn mbit(m: u64) -> Bandwidth {
        Bandwidth {
            bits_per_sec: m * 1_000_000,
        }
    }

    /// Time to put `bytes` on a link of this rate, rounded up to the microsecond.
    pub fn transmit(self, bytes: Bytes) -> SimDuration {
        debug_assert!(self.bits_per_sec > 0, "the loader refuses zero rates");
        let micros = (bytes.0 as u128 * 8 * 1_000_000).div_ceil(self.bits_per_sec as u128);
        SimDuration::from_micros(micros.min(u64::MAX as u128) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transmission_time_follows_the_rate() {
        // 4 KiB at 2.4 kbit/s: 32,768 bits / 2,400 = 13.653… s.
        let t = Bandwidth::kbit(2).transmit(Bytes(250));
        assert_eq!(t, SimDuration::from_secs(1));
        let t = Bandwidth { bits_per_sec: 2400 }.transmit(Bytes(4096));
        assert_eq!(t.as_micros(), 13_653_334);
        assert_eq!(Bytes(10).chunks(Bytes(4)), 3);
        assert_eq!(Bytes(8).chunks(Bytes(4)), 2);
    }
}
