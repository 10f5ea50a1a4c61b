//! Parses the command line, loads the configuration, runs the command and maps its result to
//! the documented exit status.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use snipcheck::cli::{Cli, Command};
use snipcheck::config::{Settings, load_file};
use snipcheck::error::{EXIT_ERROR, EXIT_FAILED, EXIT_OK, Error};
use snipcheck::list::list;
use snipcheck::report::Human;
use snipcheck::snippet::GoVersion;
use snipcheck::toolchain::Toolchain;
use snipcheck::verify::verify;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match run(cli) {
        Ok(true) => EXIT_OK,
        Ok(false) => EXIT_FAILED,
        // `snipcheck list | head`: the reader left; that is not snipcheck's failure.
        Err(e) if e.to_string().contains("Broken pipe") => EXIT_OK,
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
        Command::List(args) => {
            let file = load_file(args.common.config.as_deref())?;
            let settings = Settings::for_list(&args, file);
            // The installed Go names the `@latest` variants' version; without one, list still
            // works from the records.
            let current = Toolchain::probe(&settings.go)
                .ok()
                .map(|t| GoVersion(t.release.0, t.release.1));
            let stdout = std::io::stdout();
            list(
                &settings.documents,
                &settings.expected,
                current,
                &mut stdout.lock(),
            )?;
            Ok(true)
        }
    }
}
