/// mimalloc: compilation is allocation-heavy (many small strings and trees); it is markedly
/// faster than the system allocator on large specs (see the README benchmark figures).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

fn main() {
    let cli = ztc::cli::Cli::parse();
    std::process::exit(ztc::cli::run(cli));
}
