//! The info string of a Go block -> its attributes (`go norun timeout=2s id=x`): how the snippet
//! is built and run. An unknown attribute is an error, so a typo is not silently ignored.

use crate::config::MAX_VARIES_RUNS;
use crate::snippet::{Attrs, GoVersion};
use crate::time::parse_duration;

/// Info strings are split on white space and commas (`go norun`, `go,norun`); a double-quoted
/// value may hold either (`ignore="needs a server"`).
pub fn split_info(info: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in info.chars() {
        match c {
            '"' => quoted = !quoted,
            c if !quoted && (c.is_whitespace() || c == ',') => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

pub const KNOWN_ATTRS: &str = "ignore, ignore=\"reason\", norun, timeout=DURATION, id=NAME, varies, varies=N, race, vet, go=1.N, min_go=1.N, godebug=NAME=VALUE, env=KEY=VALUE, args=\"...\", stdin=\"...\", test, tags=T, short, cover, run=REGEXP, count=N, faketime, faketime=false, cpus=N";

const KNOWN_KEYS: [&str; 21] = [
    "ignore", "norun", "race", "vet", "varies", "timeout", "id", "go", "min_go", "godebug", "env",
    "args", "stdin", "test", "tags", "short", "cover", "run", "count", "faketime", "cpus",
];

/// `cpus=0.5` -> 500 thousandths of a CPU; from 0.01 (a quota under 1 ms a period is refused
/// by the kernel) to 1024.
fn parse_cpus(v: &str) -> Result<u32, String> {
    match v.parse::<f64>() {
        Ok(c) if (0.01..=1024.0).contains(&c) => Ok((c * 1000.0).round() as u32),
        _ => Err(format!(
            "cpus={v}: write the CPU quota as a number of CPUs from 0.01 to 1024, like cpus=0.5"
        )),
    }
}

/// The problem with attributes snipcheck does not know, unless the project ignores them.
pub fn unknown_problem(unknown: &[String], ignored: &[String]) -> Option<String> {
    let key = |w: &str| w.split_once('=').map_or(w, |(k, _)| k).to_string();
    let left: Vec<&String> = unknown
        .iter()
        .filter(|w| !ignored.contains(&key(w)))
        .collect();
    let first = left.first()?;
    Some(format!(
        "unknown attribute `{first}` in the info string; known: {KNOWN_ATTRS}; if your docs site uses it, list `{}` in `ignored_attributes` in snipcheck.toml",
        key(first)
    ))
}

/// Why `race` and `faketime` do not combine.
pub const FAKETIME_RACE: &str = "`race` and `faketime` do not combine: the race detector needs cgo, and a cgo program's fake clock never moves (the runtime advances it only when no thread runs); add `faketime=false` to run this snippet on the real clock";

pub fn parse_attrs(words: &[String]) -> Result<Attrs, String> {
    let mut attrs = Attrs::default();
    let version = |key: &str, v: &str| {
        GoVersion::parse(v).ok_or_else(|| format!("{key}={v}: write a Go version like 1.22"))
    };
    for w in words {
        let (key, value) = match w.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (w.as_str(), None),
        };
        match (key, value) {
            ("ignore", reason) => attrs.ignore = Some(reason.unwrap_or("").to_string()),
            ("norun", None) => attrs.norun = true,
            ("race", None) => attrs.race = true,
            ("vet", None) => attrs.vet = true,
            ("varies", None) => attrs.varies = Some(0),
            ("varies", Some(v)) => match v.parse::<usize>() {
                Ok(n) if (2..=MAX_VARIES_RUNS).contains(&n) => attrs.varies = Some(n),
                _ => {
                    return Err(format!(
                        "varies={v}: the number of runs must be 2 to {MAX_VARIES_RUNS}"
                    ));
                }
            },
            ("timeout", Some(v)) => {
                attrs.timeout = Some(parse_duration(v).map_err(|e| format!("timeout={v}: {e}"))?)
            }
            ("id", Some(v)) if valid_id(v) => attrs.id = Some(v.to_string()),
            ("id", Some(v)) => {
                return Err(format!(
                    "id={v}: an id may hold only letters, digits, `-`, `_` and `.`"
                ));
            }
            ("go", Some(v)) => attrs.go = Some(version("go", v)?),
            ("min_go", Some(v)) => attrs.min_go = Some(version("min_go", v)?),
            ("godebug", Some(v)) if v.contains('=') => attrs.godebug.push(v.to_string()),
            ("env", Some(v)) => match v.split_once('=') {
                Some((k, val)) if !k.is_empty() => attrs.env.push((k.to_string(), val.to_string())),
                _ => return Err(format!("env={v}: write env=KEY=VALUE")),
            },
            ("args", Some(v)) => attrs.args = v.split_whitespace().map(String::from).collect(),
            ("stdin", Some(v)) => attrs.stdin = Some(v.replace("\\n", "\n")),
            ("test", None) => attrs.test = true,
            ("tags", Some(v)) => attrs.tags = Some(v.to_string()),
            ("short", None) => attrs.short = true,
            ("cover", None) => attrs.cover = true,
            ("run", Some(v)) => attrs.run = Some(v.to_string()),
            ("count", Some(v)) => match v.parse::<u32>() {
                Ok(n) if n >= 1 => attrs.count = Some(n),
                _ => {
                    return Err(format!(
                        "count={v}: write a whole number of runs, 1 or more"
                    ));
                }
            },
            ("cpus", Some(v)) => attrs.cpus = Some(parse_cpus(v)?),
            ("faketime", None | Some("true")) => attrs.faketime = Some(true),
            ("faketime", Some("false")) => attrs.faketime = Some(false),
            ("faketime", Some(v)) => {
                return Err(format!(
                    "faketime={v}: write `faketime`, or `faketime=false` to run this snippet on the real clock"
                ));
            }
            // A key snipcheck does not know at all may be a docs site's (`title=x.go`): kept
            // for the project to accept (`ignored_attributes`), an error otherwise. A known key
            // in the wrong shape (`norun=1`) is an error here.
            (k, _) if !KNOWN_KEYS.contains(&k) => attrs.unknown.push(w.clone()),
            _ => {
                return Err(format!(
                    "unknown attribute `{w}` in the info string; known: {KNOWN_ATTRS}"
                ));
            }
        }
    }
    let test_flags = attrs.tags.is_some()
        || attrs.short
        || attrs.cover
        || attrs.run.is_some()
        || attrs.count.is_some();
    if test_flags && !attrs.test {
        return Err("tags=, short, cover, run= and count= are `go test` flags: add `test`".into());
    }
    if attrs.test && (attrs.norun || attrs.vet || attrs.varies.is_some() || !attrs.args.is_empty())
    {
        return Err(
            "`test` runs `go test`: it does not combine with norun, vet, varies or args".into(),
        );
    }
    if attrs.race && attrs.faketime == Some(true) {
        return Err(FAKETIME_RACE.into());
    }
    if attrs.norun && attrs.varies.is_some() {
        return Err(
            "`norun` and `varies` contradict each other: a snippet that does not run cannot vary"
                .into(),
        );
    }
    Ok(attrs)
}

/// The attributes of a ```` ```testscript ```` block: those that make sense for a script
/// (`ignore`, `timeout`, `id`, `min_go`, `env`); the others are about building or running one
/// Go program, which the script does itself with `exec`.
pub fn parse_script_attrs(words: &[String]) -> Result<Attrs, String> {
    let mut attrs = parse_attrs(words)?;
    let program = attrs.norun
        || attrs.race
        || attrs.vet
        || attrs.varies.is_some()
        || attrs.go.is_some()
        || !attrs.godebug.is_empty()
        || !attrs.args.is_empty()
        || attrs.stdin.is_some()
        || attrs.test;
    if program {
        return Err("a testscript block takes ignore, timeout=, id=, min_go= and env= only; \
             the script runs its own commands (`exec go test -race ./...`, `stdin file`, `env KEY=VALUE`)"
            .into());
    }
    attrs.script = true;
    Ok(attrs)
}

pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(info: &str) -> Result<Attrs, String> {
        parse_attrs(&split_info(info))
    }

    #[test]
    fn faketime_is_on_off_or_the_project_s() {
        assert_eq!(attrs("norun").unwrap().faketime, None);
        assert_eq!(attrs("faketime").unwrap().faketime, Some(true));
        assert_eq!(attrs("faketime=true").unwrap().faketime, Some(true));
        assert_eq!(attrs("faketime=false").unwrap().faketime, Some(false));
        assert_eq!(attrs("test faketime").unwrap().faketime, Some(true));
        let err = attrs("faketime=yes").unwrap_err();
        assert!(err.contains("faketime=yes"), "{err}");
        // The race detector needs cgo, whose programs never move the fake clock.
        assert_eq!(attrs("race faketime").unwrap_err(), FAKETIME_RACE);
        assert!(attrs("race faketime=false").is_ok());
    }

    #[test]
    fn cpus_is_a_quota_in_thousandths_of_a_cpu() {
        assert_eq!(attrs("norun").unwrap().cpus, None);
        assert_eq!(attrs("cpus=0.2").unwrap().cpus, Some(200));
        assert_eq!(attrs("cpus=1.5").unwrap().cpus, Some(1500));
        assert_eq!(attrs("cpus=2").unwrap().cpus, Some(2000));
        assert_eq!(attrs("test cpus=0.01").unwrap().cpus, Some(10));
        for bad in ["cpus=0", "cpus=0.001", "cpus=-1", "cpus=half", "cpus=2000"] {
            let err = attrs(bad).unwrap_err();
            assert!(err.starts_with(bad), "{err}");
        }
        assert!(attrs("cpus").is_err());
    }
}
