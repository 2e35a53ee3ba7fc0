/// mimalloc: compilation is allocation-heavy (many small strings and trees); measured about
/// 10% faster than the system allocator at 100k resources, and closer to linear scaling.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

fn main() {
    let cli = ztc::cli::Cli::parse();
    std::process::exit(ztc::cli::run(cli));
}
