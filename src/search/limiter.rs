//! At most so many searches at once: one per core. A search is work for one core from start to
//! end, and it holds arrays of a few bytes an offering while it runs (`scored_words`); more at
//! once than there are cores made none finish sooner and, under 32 connections on a million
//! offerings, held the server's memory near a gigabyte. The others wait their turn.

use std::sync::{Condvar, Mutex, PoisonError};

pub struct Limiter {
    running: Mutex<usize>,
    freed: Condvar,
    most: usize,
}

/// A search's turn, given back when dropped.
pub struct Turn<'a>(&'a Limiter);

impl Limiter {
    /// As many at once as the machine has cores.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, usize::from))
    }

    pub fn new(most: usize) -> Self {
        Limiter {
            running: Mutex::new(0),
            freed: Condvar::new(),
            most: most.max(1),
        }
    }

    /// Waits for a turn.
    pub fn turn(&self) -> Turn<'_> {
        let running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        let mut running = self
            .freed
            .wait_while(running, |running| *running >= self.most)
            .unwrap_or_else(PoisonError::into_inner);
        *running += 1;
        Turn(self)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut running = self
            .0
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *running -= 1;
        self.0.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn no_more_than_the_limit_run_at_once_and_all_run() {
        let limiter = Limiter::new(2);
        let (now, most, done) = (
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        );
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    let _turn = limiter.turn();
                    let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(running, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    now.fetch_sub(1, Ordering::SeqCst);
                    done.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(done.load(Ordering::SeqCst), 8);
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }
}
