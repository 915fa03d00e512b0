/// mimalloc, not the system allocator: reading a large store allocates millions of small
/// values on every core, which glibc's per-thread arenas serve by growing the heap a few
/// pages at a time (a third of a warm report's time went to `mprotect` and page faults).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    presales::cli::run()
}
