// mimalloc instead of glibc's malloc: glibc keeps memory freed by one worker thread in that
// thread's arena, so a large import run on another blocking thread grows the process anew
// (docs/benchmarks.md, the import's peak RSS).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    shuanglian::cli::main()
}
