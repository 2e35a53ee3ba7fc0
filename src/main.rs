use clap::Parser;

fn main() {
    let cli = ztc::cli::Cli::parse();
    std::process::exit(ztc::cli::run(cli));
}
