//! At most so many searches at once: one per core. A search is work for one core from start to
//! end, and it holds arrays of a few bytes an offering while it runs (`scored_words`); more at
//! once than there are cores made none finish sooner and, under 32 connections on a million
//! offerings, held the server's memory near a gigabyte. The others wait their turn.
//!
//! A search running alone, with none waiting, may spread its work over the idle cores
//! (`executor`): a broad search at 100,000 offerings went from 8.8 to 7.1 ms with its segments
//! spread. When others run or wait, the cores are busy anyway and handing work between threads
//! only costs: spread always, 32 connections answered 462 searches a second against 567 in one
//! pair of runs.

use std::sync::{Condvar, Mutex, PoisonError};
use tantivy::{Executor, Searcher};

/// A search's segments, and the threads that work through them (`Limiter::executor`).
pub type Segments<'a> = (&'a Searcher, &'a Executor);

pub struct Limiter {
    searches: Mutex<Searches>,
    freed: Condvar,
    most: usize,
    /// A thread for each core, for a lone search's work.
    spread: Executor,
    /// The calling thread alone.
    one_thread: Executor,
}

/// How many searches run, and how many wait for a turn.
#[derive(Default)]
struct Searches {
    running: usize,
    waiting: usize,
}

impl Searches {
    /// Whether the one running may use every core: no other runs, none waits. (A search
    /// waits only while all turns are taken, and is about to run once one is given back.)
    fn may_spread(&self) -> bool {
        self.running <= 1 && self.waiting == 0
    }
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
            searches: Mutex::default(),
            freed: Condvar::new(),
            most,
            spread,
            one_thread: Executor::single_thread(),
        }
    }

    /// Waits for a turn.
    pub fn turn(&self) -> Turn<'_> {
        let mut searches = self.lock();
        searches.waiting += 1;
        let mut searches = self
            .freed
            .wait_while(searches, |searches| searches.running >= self.most)
            .unwrap_or_else(PoisonError::into_inner);
        searches.waiting -= 1;
        searches.running += 1;
        Turn(self)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Searches> {
        self.searches.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Where a search that has its turn does the work it can split (its segments, its page's
    /// hits): on every core while it is the only search running and none waits, else on its
    /// own thread. Asked again at each step, so that a search stops spreading once another
    /// has come.
    pub fn executor(&self) -> &Executor {
        if self.lock().may_spread() {
            &self.spread
        } else {
            &self.one_thread
        }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.0.lock().running -= 1;
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
        // A search waiting for the turn just given back is about to run.
        let waited_for = Searches {
            running: 1,
            waiting: 1,
        };
        assert!(!waited_for.may_spread());
        // One core: nothing to spread over.
        let one = Limiter::new(1);
        let _turn = one.turn();
        assert!(!spreads(one.executor()));
    }
}
