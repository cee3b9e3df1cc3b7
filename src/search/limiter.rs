//! At most so many searches at once: one per core. A search is work for one core from start to
//! end, and it holds arrays of a few bytes an offering while it runs (`scored_words`); more at
//! once than there are cores made none finish sooner and, under 32 connections on a million
//! offerings, held the server's memory near a gigabyte. The others wait their turn.
//!
//! A search running alone may spread its segments over the idle cores (`executor`): a
//! broad search at 100,000 offerings went from 8.8 to 7.1 ms. When others run, the cores are
//! busy anyway and handing segments between threads only costs: spread always, 32 connections
//! answered a fifth fewer searches a second.

use std::sync::{Condvar, Mutex, PoisonError};
use tantivy::Executor;

pub struct Limiter {
    running: Mutex<usize>,
    freed: Condvar,
    most: usize,
    /// A thread for each core, for a lone search's work.
    spread: Executor,
    /// The calling thread alone.
    one_thread: Executor,
}

/// A search's turn, given back when dropped.
pub struct Turn<'a>(&'a Limiter);

impl Limiter {
    /// As many at once as the machine has cores.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, usize::from))
    }

    pub fn new(most: usize) -> Self {
        let most = most.max(1);
        // Without threads of its own (none to be had), a search keeps to its own thread.
        let spread = match most {
            1 => Executor::single_thread(),
            _ => Executor::multi_thread(most, "segments-").unwrap_or(Executor::single_thread()),
        };
        Limiter {
            running: Mutex::new(0),
            freed: Condvar::new(),
            most,
            spread,
            one_thread: Executor::single_thread(),
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

    /// Where a search that has its turn does the work it can split (its segments, its page's
    /// hits): on every core while it is the only search running, else on its own thread.
    /// Asked again at each step, so that a search stops spreading once another has begun.
    pub fn executor(&self) -> &Executor {
        let running = *self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if running <= 1 {
            &self.spread
        } else {
            &self.one_thread
        }
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

    fn spreads(executor: &Executor) -> bool {
        matches!(executor, Executor::ThreadPool(_))
    }

    #[test]
    fn a_lone_search_spreads_and_one_among_others_keeps_to_its_thread() {
        let limiter = Limiter::new(2);
        let first = limiter.turn();
        assert!(spreads(limiter.executor()));
        let second = limiter.turn();
        assert!(!spreads(limiter.executor()));
        drop(first);
        assert!(spreads(limiter.executor()));
        drop(second);
        // One core: nothing to spread over.
        let one = Limiter::new(1);
        let _turn = one.turn();
        assert!(!spreads(one.executor()));
    }
}
