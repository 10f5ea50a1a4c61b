//! Parses the command line, loads the configuration, runs the command and maps its result to
//! the documented exit status.

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use snipcheck::cli::{Cli, Command, Format, ListFormat, ReviewArgs, VerifyArgs};
use snipcheck::config::{Places, Settings, load_file};
use snipcheck::error::{EXIT_ERROR, EXIT_FAILED, EXIT_OK, Error};
use snipcheck::go::releases::Wanted;
use snipcheck::go::toolchain::Toolchain;
use snipcheck::list::list;
use snipcheck::records::pending;
use snipcheck::report::github::Github;
use snipcheck::report::gojson::GoJson;
use snipcheck::report::html::Html;
use snipcheck::report::json::Json;
use snipcheck::report::junit::Junit;
use snipcheck::report::{Human, Reporter, Tee};
use snipcheck::snippet::GoVersion;
use snipcheck::verify::verify;
use snipcheck::{review, style};

fn main() -> ExitCode {
    // `go test -exec` starts snipcheck again to run a test binary contained.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args
        .get(1)
        .is_some_and(|a| a == snipcheck::sandbox::contain::EXEC_ARG)
    {
        std::process::exit(snipcheck::sandbox::contain::exec_main(&args[2..]));
    }
    // A worker's supervisor of the sandbox (issue 16).
    if args
        .get(1)
        .is_some_and(|a| a == snipcheck::sandbox::supervisor::SUPERVISOR_ARG)
    {
        std::process::exit(snipcheck::sandbox::supervisor::supervisor_main());
    }
    let cli = Cli::parse_from(go_habits(args));
    style::choose(cli.color);
    let result = snipcheck::sandbox::interrupt::install().and_then(|()| run(cli));
    // An interruption exits from its own thread, with its own status.
    snipcheck::sandbox::interrupt::wait_if_interrupted();
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

/// `snipcheck verify -json`, as Go users type it for `go test -json`: clap would read a single
/// dash as short flags (`-j son`), so a lone `-json` among verify's arguments (before `--`) is
/// rewritten to `--format=go-json` before parsing.
fn go_habits(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    if args.get(1).is_some_and(|a| a == "verify") {
        for a in args.iter_mut().skip(2) {
            if a == "--" {
                break;
            }
            if a == "-json" {
                *a = "--format=go-json".into();
            }
        }
    }
    args
}

fn run(cli: Cli) -> Result<bool, Error> {
    match cli.command {
        Command::Verify(args) => {
            let file = load_file(args.common.config.as_deref())?;
            let settings = Settings::resolve(&args, file)?;
            for w in &settings.warnings {
                eprintln!("warning: {w}");
            }
            let mut reporter = reporter(&args)?;
            verify(&settings, reporter.as_mut())
        }
        Command::Bisect(args) => {
            let file = load_file(args.common.config.as_deref())?;
            let settings = Settings::resolve(&args.verify(), file)?;
            let minor = |s: &str| {
                snipcheck::go::releases::parse_version(s)
                    .map(|(a, b, _)| (a, b))
                    .ok_or_else(|| Error::Other(format!("`{s}` is not a Go release (1.22)")))
            };
            let from = minor(&args.from)?;
            let to = match &args.to {
                Some(t) => minor(t)?,
                None => (u32::MAX, u32::MAX),
            };
            snipcheck::verify::bisect::bisect(
                &settings,
                &args.id,
                from,
                to,
                &mut std::io::stdout().lock(),
            )
        }
        Command::Review(args) => review_with(&args),
        Command::Accept(args) => review_with(&args.review()),
        Command::Reject(args) => review_with(&args.review()),
        Command::Pending(args) => {
            let file = load_file(args.records.config.as_deref())?;
            let places = Places::resolve(&args.records, file)?;
            let items = pending::find(&places)?;
            let stdout = std::io::stdout();
            pending::list(&mut stdout.lock(), &items, args.format)
                .map_err(|e| Error::io("cannot write the list", e))?;
            Ok(true)
        }
        Command::Import(args) => {
            let imported = snipcheck::import::import(&args.paths)?;
            match &args.output {
                Some(path) => {
                    // `-o docs/x.md` in a repository that has no docs/ yet makes it, as a user expects.
                    let write = || -> std::io::Result<()> {
                        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                            std::fs::create_dir_all(parent)?;
                        }
                        std::fs::write(path, &imported.markdown)
                    };
                    write().map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?
                }
                None => std::io::stdout()
                    .write_all(imported.markdown.as_bytes())
                    .map_err(|e| Error::io("cannot write the document", e))?,
            }
            eprint!("{}", snipcheck::import::summary(&imported.notes));
            Ok(true)
        }
        Command::Init(args) => {
            let documents = args
                .documents
                .as_deref()
                .map_or("snippets".to_string(), |p| p.display().to_string());
            for line in snipcheck::init::init(std::path::Path::new("."), &documents, args.workflow)?
            {
                println!("{line}");
            }
            Ok(true)
        }
        Command::Clean => {
            let Some(root) = snipcheck::go::build::stable_root() else {
                println!("nothing to clean: there is no work folder");
                return Ok(true);
            };
            let (removed, freed) = snipcheck::go::build::prune(&root, std::time::Duration::ZERO, 0);
            for r in &removed {
                println!("removed {}", r.display());
            }
            println!(
                "removed {} work folder{} ({:.1} MiB); folders a running snipcheck holds are kept",
                removed.len(),
                if removed.len() == 1 { "" } else { "s" },
                freed as f64 / (1 << 20) as f64
            );
            Ok(true)
        }
        // Both are generated from the definitions the parser uses, so they cannot drift from it.
        Command::Completions(args) => {
            // Into a buffer first: clap_complete panics on a write error, and a closed pipe
            // (`snipcheck completions bash | head`) is not worth a panic.
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "snipcheck", &mut script);
            std::io::stdout()
                .lock()
                .write_all(&script)
                .map_err(|e| Error::io("cannot write the completions", e))?;
            Ok(true)
        }
        Command::Man(args) => {
            // Built, the subcommands carry the names their pages go by (snipcheck-verify) and
            // their usage (snipcheck verify ...), as snipcheck(1) refers to them.
            let mut cli = Cli::command();
            cli.build();
            let page = match &args.subcommand {
                None => cli,
                Some(name) => match cli.find_subcommand(name) {
                    Some(sub) => sub.clone(),
                    None => cli
                        .clone()
                        .error(
                            clap::error::ErrorKind::InvalidValue,
                            format!("`{name}` is not a subcommand of snipcheck"),
                        )
                        .exit(),
                },
            };
            // A subcommand has no version of its own: the footer names snipcheck's.
            clap_mangen::Man::new(page)
                .source(format!("snipcheck {}", env!("CARGO_PKG_VERSION")))
                .render(&mut std::io::stdout().lock())
                .map_err(|e| Error::io("cannot write the manual page", e))?;
            Ok(true)
        }
        Command::List(args) => {
            let file = load_file(args.common.config.as_deref())?;
            let settings = Settings::for_list(&args, file);
            // The installed Go names the `@latest` variants' version; without one, list still
            // works from the records.
            let installed = Toolchain::probe(&settings.go).ok();
            let current = installed
                .as_ref()
                .map(|t| GoVersion(t.release.0, t.release.1));
            let stdout = std::io::stdout();
            if args.matrix {
                let columns = settings
                    .releases
                    .iter()
                    .filter_map(|w| match w {
                        Wanted::Local => installed.as_ref().map(|t| t.version.clone()),
                        w => Some(w.to_string()),
                    })
                    .collect();
                let m = snipcheck::list::matrix(
                    &settings.documents,
                    &settings.expected,
                    columns,
                    installed.map(|t| t.version),
                )?;
                let mut out = stdout.lock();
                let written = if args.format == ListFormat::Json {
                    writeln!(
                        out,
                        "{}",
                        serde_json::json!({"type": "matrix", "releases": m.releases, "rows": m.rows})
                    )
                } else {
                    m.write_text(&mut out)
                };
                written.map_err(|e| Error::io("cannot write the list", e))?;
                return Ok(true);
            }
            list(
                &settings.documents,
                &settings.expected,
                current,
                args.format == ListFormat::Json,
                &mut stdout.lock(),
            )?;
            Ok(true)
        }
    }
}

fn review_with(args: &ReviewArgs) -> Result<bool, Error> {
    let file = load_file(args.records.config.as_deref())?;
    let places = Places::resolve(&args.records, file)?;
    review::run(&places, args)
}

fn reporter(args: &VerifyArgs) -> Result<Box<dyn Reporter>, Error> {
    let out = std::io::stdout().lock();
    let main: Box<dyn Reporter> = match args.format {
        Format::Human => Box::new(
            Human::new(out)
                .with_color(style::stdout_wanted())
                .quiet(args.quiet),
        ),
        Format::Json => Box::new(Json::new(out)),
        Format::Junit => Box::new(Junit::new(out)),
        Format::Github => Box::new(
            Github::new(
                out,
                std::env::var_os("GITHUB_STEP_SUMMARY")
                    .filter(|p| !p.is_empty())
                    .map(Into::into),
            )
            .quiet(args.quiet),
        ),
        Format::Html => Box::new(Html::new(out)),
        Format::GoJson => Box::new(GoJson::new(out)),
    };
    let file = |path: &std::path::PathBuf| LazyFile {
        path: path.clone(),
        file: None,
    };
    let mut all = vec![main];
    if let Some(path) = &args.junit {
        all.push(Box::new(Junit::new(file(path))));
    }
    if let Some(path) = &args.html {
        all.push(Box::new(Html::new(file(path))));
    }
    if all.len() == 1 {
        return Ok(all.remove(0));
    }
    Ok(Box::new(Tee(all)))
}

/// A file created at the first write (with its folder), so a run that stops on an error leaves
/// no empty report.
struct LazyFile {
    path: std::path::PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl Write for LazyFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.file.is_none() {
            // A report path in a folder that does not exist yet (`reports/junit.xml` in a fresh
            // CI checkout) gets its folder, rather than losing the report after the run.
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    std::io::Error::new(e.kind(), format!("{}: {e}", dir.display()))
                })?;
            }
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
