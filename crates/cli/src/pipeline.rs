//! Work on many inputs in parallel, results handed on in input order.
//!
//! Workers take inputs in order from a shared counter, a few at a time, so
//! the results that wait for an earlier, slower one stay few; the caller
//! sees each result as soon as all before it are done, and can stop the run
//! (a closed pipe). Results travel in batches: on a tree of small files, one
//! message per file costs more in wake-ups than checking the file.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;

/// Runs `work` on every item with up to `threads` threads and passes the
/// results to `emit` in item order, on the calling thread. `emit` returning
/// `Break` stops the run: items not started are never worked on.
pub fn ordered<T, R>(
    items: &[T],
    threads: usize,
    work: impl Fn(&T) -> R + Sync,
    mut emit: impl FnMut(R) -> ControlFlow<()>,
) where
    T: Sync,
    R: Send,
{
    let threads = threads.min(items.len());
    if threads <= 1 {
        for item in items {
            if emit(work(item)).is_break() {
                return;
            }
        }
        return;
    }

    let batch = batch_len(items.len(), threads);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (sender, receiver) = mpsc::channel::<(usize, Vec<R>)>();

    thread::scope(|scope| {
        for _ in 0..threads {
            let sender = sender.clone();
            let (next, stop, work) = (&next, &stop, &work);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let first = next.fetch_add(batch, Ordering::Relaxed);
                    let Some(taken) = items.get(first..items.len().min(first + batch)) else {
                        break;
                    };
                    if taken.is_empty() {
                        break;
                    }
                    let results = taken.iter().map(work).collect();
                    if sender.send((first, results)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);

        let mut waiting = BTreeMap::new();
        let mut cursor = 0;
        for (first, results) in &receiver {
            waiting.insert(first, results);
            while let Some(results) = waiting.remove(&cursor) {
                cursor += results.len();
                for result in results {
                    if emit(result).is_break() {
                        stop.store(true, Ordering::Relaxed);
                        return;
                    }
                }
            }
        }
    });
}

/// How many items a worker takes at a time: one when there are few, so
/// that a slow item holds back little; up to 32 when there are thousands.
fn batch_len(items: usize, threads: usize) -> usize {
    (items / (threads * 256)).clamp(1, 32)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn results_come_in_item_order_whatever_the_timing() {
        let items: Vec<u64> = (0..40).collect();
        let mut seen = Vec::new();
        ordered(
            &items,
            4,
            |&i| {
                // Early items are the slow ones, so later ones finish first.
                thread::sleep(Duration::from_millis((40 - i) % 7));
                i * 10
            },
            |r| {
                seen.push(r);
                ControlFlow::Continue(())
            },
        );
        assert_eq!(seen, items.iter().map(|i| i * 10).collect::<Vec<_>>());
    }

    #[test]
    fn batches_keep_the_order() {
        let items: Vec<u64> = (0..20_000).collect();
        let mut seen = Vec::with_capacity(items.len());
        ordered(
            &items,
            3,
            |&i| i + 1,
            |r| {
                seen.push(r);
                ControlFlow::Continue(())
            },
        );
        assert_eq!(seen, (1..=20_000).collect::<Vec<_>>());
        assert_eq!(batch_len(20_000, 2), 32);
        assert_eq!(batch_len(10, 2), 1);
    }

    #[test]
    fn break_stops_taking_new_items() {
        let items: Vec<usize> = (0..1000).collect();
        let worked = AtomicUsize::new(0);
        let mut seen = Vec::new();
        ordered(
            &items,
            2,
            |&i| {
                worked.fetch_add(1, Ordering::Relaxed);
                thread::sleep(Duration::from_millis(1));
                i
            },
            |r| {
                seen.push(r);
                if seen.len() == 3 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        );
        assert_eq!(seen, vec![0, 1, 2]);
        assert!(worked.load(Ordering::Relaxed) < 100);
    }

    #[test]
    fn one_thread_and_no_items() {
        let mut seen = Vec::new();
        ordered(
            &[1, 2, 3],
            1,
            |&i| i,
            |r| {
                seen.push(r);
                ControlFlow::Continue(())
            },
        );
        assert_eq!(seen, vec![1, 2, 3]);
        ordered(&[] as &[u8], 4, |&i| i, |_| panic!("no items, no results"));
    }
}
