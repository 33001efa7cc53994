//! The `immunoprofile` binary: parse arguments, set up logging and the thread pool, run one
//! subcommand, print an error once and map it to an exit code (0 ok, 1 bad input or usage, 2
//! internal error). A closed stdout (`... | head`) ends the program quietly with 0.

use std::process::ExitCode;

use clap::Parser;
use immunoprofile::cli::Cli;

fn main() -> ExitCode {
    // Before any thread exists: htslib must never fetch a CRAM reference over the network.
    immunoprofile::io::alignments::disable_remote_reference();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap uses 2 for usage errors; ours is 1 (2 is reserved for bugs).
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
    immunoprofile::progress::set_quiet(cli.quiet);
    env_logger::Builder::new()
        .filter_level(if cli.quiet {
            log::LevelFilter::Warn
        } else {
            log::LevelFilter::Info
        })
        .parse_env("IMMUNOPROFILE_LOG")
        .format_timestamp(None)
        .format_target(false)
        // Log lines are printed above the progress bars, never through them.
        .target(env_logger::Target::Pipe(Box::new(
            immunoprofile::progress::LogWriter,
        )))
        .init();
    // A panic is a bug: say so after Rust's own message, and exit 2 from whichever thread. A
    // dependency's panic on corrupted input, caught where it is called
    // (`io::catch_dependency_panic`), is reported there as our one-line error instead.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if immunoprofile::io::panic_is_caught() {
            return;
        }
        default_hook(info);
        eprintln!("immunoprofile: internal error (a bug): please report it with the command line");
        std::process::exit(2);
    }));
    let threads = cli
        .threads()
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    if let Err(e) = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
    {
        eprintln!("immunoprofile: cannot start {threads} threads: {e}");
        return ExitCode::from(2);
    }
    match cli.command.run(threads) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("immunoprofile: error: {}", e.chain_text());
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
