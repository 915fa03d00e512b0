//! Owns catching tantivy's panics without the default "panicked at" message: tantivy can
//! panic on index data it cannot read, and the index is a cache we rebuild, so such a panic
//! is an error value, never text on the user's terminal.
//!
//! A panic hook is process-wide, so it is installed once and stays: it hands every panic to
//! the hook that was there before, except on a thread inside [`catch`] and on tantivy's own
//! worker threads (indexing, merging, doc-store compression), whose panics tantivy turns
//! into errors that reach us anyway.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

static INSTALL: Once = Once::new();

/// Names tantivy gives its threads (indexer, segment updater, merger, doc-store compressor,
/// searcher and warmer pools).
fn is_tantivy_thread(name: &str) -> bool {
    name.contains("tantivy")
        || name.starts_with("merge_thread_")
        || name == "segment_updater"
        || name == "docstore-compressor-thread"
}

fn install() {
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let inside = DEPTH.with(|d| d.get() > 0);
            let tantivy = std::thread::current().name().is_some_and(is_tantivy_thread);
            if !inside && !tantivy {
                previous(info);
            }
        }));
    });
}

/// Runs `f` with a panic caught and silent: its payload.
fn caught<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    install();
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get() - 1));
    result
}

/// Runs `f` on a worker thread of a [`catch`] on another thread (a parallel iterator's):
/// a panic in `f` is silent here too, and goes on unwinding, without a word, to the thread
/// waiting for the worker, whose [`catch`] turns it into an error.
pub(crate) fn on_worker<T>(f: impl FnOnce() -> T) -> T {
    caught(f).unwrap_or_else(|payload| panic::resume_unwind(payload))
}

/// Runs `f`; a panic inside it becomes `Err` with the panic's message, printed nowhere.
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    caught(f).map_err(|payload| {
        if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "unknown panic".to_string()
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panic_becomes_its_message_and_nesting_unwinds_the_depth() {
        let inner = super::catch(|| super::catch(|| -> u8 { panic!("inner") }));
        assert_eq!(inner, Ok(Err("inner".to_string())));
        assert_eq!(super::catch(|| 7), Ok(7));
        super::DEPTH.with(|d| assert_eq!(d.get(), 0));
    }

    /// A panic on a worker of a parallel iterator reaches the waiting thread's `catch`
    /// with its message, and the worker is left as it was.
    #[test]
    fn a_panic_on_a_worker_reaches_the_catch_that_waits_for_it() {
        use rayon::prelude::*;
        let result = super::catch(|| {
            (0..64)
                .into_par_iter()
                .map(|i| super::on_worker(|| if i == 37 { panic!("segment {i}") } else { i }))
                .sum::<i32>()
        });
        assert_eq!(result, Err("segment 37".to_string()));
        assert_eq!(super::catch(|| super::on_worker(|| 5)), Ok(5));
        super::DEPTH.with(|d| assert_eq!(d.get(), 0));
    }
}
