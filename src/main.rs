//! Parses the command line, loads the configuration, runs the command and maps its result to
//! the documented exit status.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use snipcheck::cli::{Cli, Command, Format, VerifyArgs};
use snipcheck::config::{Places, Settings, load_file};
use snipcheck::error::{EXIT_ERROR, EXIT_FAILED, EXIT_OK, Error};
use snipcheck::list::list;
use snipcheck::report::github::Github;
use snipcheck::report::json::Json;
use snipcheck::report::junit::Junit;
use snipcheck::report::{Human, Reporter, Tee};
use snipcheck::snippet::GoVersion;
use snipcheck::toolchain::Toolchain;
use snipcheck::verify::verify;
use snipcheck::{pending, review, style};

fn main() -> ExitCode {
    // `go test -exec` starts snipcheck again to run a test binary contained.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args
        .get(1)
        .is_some_and(|a| a == snipcheck::contain::EXEC_ARG)
    {
        std::process::exit(snipcheck::contain::exec_main(&args[2..]));
    }
    let cli = Cli::parse();
    let result = snipcheck::interrupt::install().and_then(|()| run(cli));
    // An interruption exits from its own thread, with its own status.
    snipcheck::interrupt::wait_if_interrupted();
    let code = match result {
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
            let mut reporter = reporter(&args)?;
            verify(&settings, reporter.as_mut())
        }
        Command::Review(args) => {
            let file = load_file(args.records.config.as_deref())?;
            let places = Places::resolve(&args.records, file)?;
            review::run(&places, &args)
        }
        Command::Pending(args) => {
            let file = load_file(args.records.config.as_deref())?;
            let places = Places::resolve(&args.records, file)?;
            let items = pending::find(&places)?;
            let stdout = std::io::stdout();
            pending::list(&mut stdout.lock(), &items, args.format)
                .map_err(|e| Error::io("cannot write the list", e))?;
            Ok(true)
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

fn reporter(args: &VerifyArgs) -> Result<Box<dyn Reporter>, Error> {
    let out = std::io::stdout().lock();
    let main: Box<dyn Reporter> = match args.format {
        Format::Human => Box::new(Human::new(out).with_color(style::stdout_wanted())),
        Format::Json => Box::new(Json::new(out)),
        Format::Junit => Box::new(Junit::new(out)),
        Format::Github => Box::new(Github::new(
            out,
            std::env::var_os("GITHUB_STEP_SUMMARY")
                .filter(|p| !p.is_empty())
                .map(Into::into),
        )),
    };
    let Some(path) = &args.junit else {
        return Ok(main);
    };
    let file = LazyFile {
        path: path.clone(),
        file: None,
    };
    Ok(Box::new(Tee(vec![main, Box::new(Junit::new(file))])))
}

/// A file created at the first write, so a run that stops on an error leaves no empty report.
struct LazyFile {
    path: std::path::PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl Write for LazyFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.file.is_none() {
            let f = std::fs::File::create(&self.path).map_err(|e| {
                std::io::Error::new(e.kind(), format!("{}: {e}", self.path.display()))
            })?;
            self.file = Some(std::io::BufWriter::new(f));
        }
        self.file.as_mut().expect("created above").write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().map_or(Ok(()), |f| f.flush())
    }
}
