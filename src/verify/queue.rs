//! The workers' queue. Jobs are taken in document order from one queue (not halves of the list
//! each, as a parallel iterator would split it): results then come in about in the order they
//! are reported, so few wait for an earlier one, and each job is dropped once it has run, so
//! memory and the report stay flat however long the document. A job whose build is deferred
//! (`Workspace::build_deferred`: the units compiled with `-e`, which the go command compiles
//! again on every run) is set aside while that build runs beside the others' runs, and taken
//! once the queue is empty and the build is done.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex};

use crate::go::build::Built;

use super::Ready;

pub struct Queue {
    jobs: Mutex<std::vec::IntoIter<Ready>>,
    deferred: Mutex<Deferred>,
    built: Condvar,
}

struct Deferred {
    /// Deferred builds not finished yet.
    building: usize,
    results: HashMap<usize, Built>,
    set_aside: Vec<Ready>,
}

impl Queue {
    /// `jobs` in document order; `building` deferred builds are to come in (`built`).
    pub fn new(jobs: Vec<Ready>, building: usize) -> Queue {
        Queue {
            jobs: Mutex::new(jobs.into_iter()),
            deferred: Mutex::new(Deferred {
                building,
                results: HashMap::new(),
                set_aside: Vec::new(),
            }),
            built: Condvar::new(),
        }
    }

    /// One deferred build's results. A build that failed as a whole (`None`) decided nothing:
    /// its units are built alone by their workers, which report what stops them.
    pub fn built(&self, results: Option<HashMap<usize, Built>>) {
        let mut d = self.deferred.lock().unwrap_or_else(|e| e.into_inner());
        d.results.extend(results.unwrap_or_default());
        d.building -= 1;
        self.built.notify_all();
    }

    /// The next job to run, with its deferred build's result put in; None when all are taken.
    pub fn next(&self) -> Option<Ready> {
        loop {
            let next = self.jobs.lock().unwrap_or_else(|e| e.into_inner()).next();
            let mut d = self.deferred.lock().unwrap_or_else(|e| e.into_inner());
            match next {
                Some(r) if !r.deferred => return Some(r),
                Some(r) if d.building > 0 => d.set_aside.push(r),
                Some(r) => return Some(d.resolve(r)),
                None => {
                    while d.building > 0 {
                        d = self.built.wait(d).unwrap_or_else(|e| e.into_inner());
                    }
                    let r = d.set_aside.pop()?;
                    return Some(d.resolve(r));
                }
            }
        }
    }
}

impl Deferred {
    fn resolve(&mut self, mut r: Ready) -> Ready {
        r.merged = self.results.remove(&r.index);
        r.deferred = false;
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::go::build::Unit;

    fn job(index: usize, deferred: bool) -> Ready {
        Ready {
            index,
            unit: Unit::default(),
            workspace: 0,
            merged: None,
            deferred,
        }
    }

    #[test]
    fn deferred_jobs_wait_for_their_build_and_the_rest_do_not() {
        let q = Queue::new(vec![job(0, false), job(1, true), job(2, false)], 1);
        assert_eq!(q.next().unwrap().index, 0);
        // Job 1's build is not in: it is set aside, and job 2 runs first.
        assert_eq!(q.next().unwrap().index, 2);
        let failed = Built::Failed {
            diagnostics: "x".into(),
        };
        std::thread::scope(|s| {
            let waiting = s.spawn(|| q.next());
            std::thread::sleep(std::time::Duration::from_millis(50));
            q.built(Some(HashMap::from([(1, failed.clone())])));
            let r = waiting.join().unwrap().unwrap();
            assert_eq!((r.index, r.merged, r.deferred), (1, Some(failed), false));
        });
        assert!(q.next().is_none());
    }

    #[test]
    fn a_deferred_build_that_failed_leaves_its_jobs_to_be_built_alone() {
        let q = Queue::new(vec![job(0, true)], 1);
        q.built(None);
        let r = q.next().unwrap();
        assert_eq!((r.index, r.merged), (0, None));
        assert!(q.next().is_none());
    }
}
