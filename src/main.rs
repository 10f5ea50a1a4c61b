//! Parses the command line, loads the configuration, runs the command and maps its result to
//! the documented exit status.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use snipcheck::cli::{Cli, Command};
use snipcheck::config::{Settings, load_file};
use snipcheck::error::{EXIT_ERROR, EXIT_FAILED, EXIT_OK, Error};
use snipcheck::report::Human;
use snipcheck::verify::verify;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = snipcheck::interrupt::install().and_then(|()| run(cli));
    // An interruption exits from its own thread, with its own status.
    snipcheck::interrupt::wait_if_interrupted();
    let code = match result {
        Ok(true) => EXIT_OK,
        Ok(false) => EXIT_FAILED,
        Err(e) => {
            let _ = std::io::stdout().flush();
            eprintln!("{e}");
            EXIT_ERROR
        }
    };
    ExitCode::from(code as u8)
}

fn run(cli: Cli) -> Result<bool, Error> {
    match cli.command {
        Command::Verify(args) => {
            let file = load_file(args.common.config.as_deref())?;
            let settings = Settings::resolve(&args, file)?;
            let stdout = std::io::stdout();
            let mut reporter = Human::new(stdout.lock());
            verify(&settings, &mut reporter)
        }
    }
}
