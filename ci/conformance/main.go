// Conformance: snipcheck against Go's own test directory. The no-flag, single-file `errorcheck`
// and `run` tests of the installed $(go env GOROOT)/test are turned into Markdown documents
// (one ```go block per file), snipcheck verifies them, and the result is compared with what
// Go's own runner (cmd/internal/testdir) expects of each file: for `errorcheck`, that every
// `// ERROR "regexp"` matches an error on its line and no other error happens (or, for the
// files its types2Failures list expects to fail, that snipcheck fails them too); for `run`, that
// the program exits 0 and prints its NAME.out (stdout and stderr together), or nothing.
//
// Then the mutation check: every file snipcheck agrees on is weakened once (one `// ERROR`
// removed, or one output line changed) and must then fail; one that still passes is a FALSE
// PASS, a claim snipcheck does not really check.
//
// Run it from the repository (it builds snipcheck with cargo unless -snipcheck names a binary):
//
//	go -C ci/conformance run . [-snipcheck PATH] [-goroot DIR] [-keep] [-only REGEXP]
//
// Exit status: 0 when there is no false pass, 1 when there is one, 2 when it could not run.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/build"
	"go/build/constraint"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The folders of GOROOT/test that Go's runner looks in (cmd/internal/testdir's `dirs`).
var dirs = []string{".", "ken", "chan", "interface", "internal/runtime/sys", "syntax", "dwarf",
	"fixedbugs", "codegen", "abi", "typeparam", "typeparam/mdempsky", "arenas", "simd"}

// One test file of a category, as converted.
type testFile struct {
	rel      string // path under GOROOT/test, e.g. fixedbugs/issue1234.go
	category string // "errorcheck" or "run"
	source   string // the file, with GC_ERROR comments read as ERROR (gc is the compiler here)
	out      string // run: the expected stdout+stderr (NAME.out), "" when there is none
	stream   string // run: which stream the output is claimed on, "Output" or "Stderr"
	skip     string // why it cannot be expressed as a snippet; "" when it can
	id       string
	// Go's runner expects its errorcheck to fail (its types2Failures: the compiler reports
	// errors the file does not claim); snipcheck agrees by failing it too.
	expectFail bool
}

// What snipcheck said about one snippet.
type verdict struct {
	passed   bool
	class    string
	failures []failure
	refused  string // snipcheck refused the document because of this file (exit status 2)
	// The compiler's whole output, from the pending record snipcheck wrote (the failures
	// show only the lines they are about).
	diagnostics string
}

type failure struct {
	Line     int    `json:"line"`
	Message  string `json:"message"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
}

func main() {
	snipcheck := flag.String("snipcheck", "", "the snipcheck binary (default: build this checkout with cargo)")
	goroot := flag.String("goroot", "", "the Go tree whose test directory is used (default: go env GOROOT)")
	keep := flag.Bool("keep", false, "keep the generated documents and records")
	only := flag.String("only", "", "only the files whose path under GOROOT/test matches this regexp")
	flag.Parse()
	started := time.Now()

	if *goroot == "" {
		out, err := exec.Command("go", "env", "GOROOT").Output()
		if err != nil {
			fatal("cannot run `go env GOROOT`: %v", err)
		}
		*goroot = strings.TrimSpace(string(out))
	}
	if *snipcheck == "" {
		*snipcheck = buildSnipcheck()
	}
	var filter *regexp.Regexp
	if *only != "" {
		filter = regexp.MustCompile(*only)
	}
	files := collect(filepath.Join(*goroot, "test"), filter)
	expected := expectedFailures(*goroot)
	for _, f := range files {
		f.expectFail = expected[filepath.ToSlash(f.rel)]
	}

	work, err := os.MkdirTemp("", "snipcheck-conformance-")
	if err != nil {
		fatal("cannot make a temporary folder: %v", err)
	}
	if *keep {
		fmt.Printf("documents and records in %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}

	var checked []*testFile
	for _, f := range files {
		if f.skip == "" {
			checked = append(checked, f)
		}
	}
	verdicts := verifyAll(*snipcheck, filepath.Join(work, "plain"), checked, nil)
	report(files, verdicts)

	// The mutation check, on every file snipcheck agrees on.
	// A file Go's runner expects to fail has no claim that holds to weaken.
	var agreed []*testFile
	for _, f := range checked {
		if verdicts[f.id].passed && !f.expectFail {
			agreed = append(agreed, f)
		}
	}
	mutants := map[string]string{}
	var mutated []*testFile
	for _, f := range agreed {
		if m, what := mutate(f); m != nil {
			mutated = append(mutated, m)
			mutants[m.id] = what
		}
	}
	mverdicts := verifyAll(*snipcheck, filepath.Join(work, "mutated"), mutated, nil)
	var falsePasses []string
	for _, m := range mutated {
		if mverdicts[m.id].passed {
			falsePasses = append(falsePasses, fmt.Sprintf("%s: %s", m.rel, mutants[m.id]))
		}
	}
	fmt.Printf("\nmutation check: %d agreeing files weakened (one // ERROR removed, or one output line changed), %d caught, %d FALSE PASS\n",
		len(mutated), len(mutated)-len(falsePasses), len(falsePasses))
	for _, fp := range falsePasses {
		fmt.Printf("  FALSE PASS %s\n", fp)
	}
	fmt.Printf("\nfinished in %s\n", time.Since(started).Round(time.Second))
	if len(falsePasses) > 0 {
		os.Exit(1)
	}
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "conformance: "+format+"\n", args...)
	os.Exit(2)
}

// buildSnipcheck builds the checkout this program lives in and returns its binary.
func buildSnipcheck() string {
	dir, err := os.Getwd()
	if err != nil {
		fatal("%v", err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "Cargo.toml")); err == nil && bytes.Contains(b, []byte(`name = "snipcheck"`)) {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			fatal("cannot find snipcheck's Cargo.toml above the working directory; pass -snipcheck")
		}
		dir = parent
	}
	cmd := exec.Command("cargo", "build", "--release", "--quiet")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fatal("cargo build failed: %v", err)
	}
	return filepath.Join(dir, "target", "release", "snipcheck")
}

// collect reads the errorcheck and run tests of the test directory, with why each is skipped.
func collect(testDir string, filter *regexp.Regexp) []*testFile {
	var files []*testFile
	seen := map[string]int{}
	for _, d := range dirs {
		names, _ := filepath.Glob(filepath.Join(testDir, d, "*.go"))
		sort.Strings(names)
		for _, name := range names {
			rel, _ := filepath.Rel(testDir, name)
			if filter != nil && !filter.MatchString(rel) {
				continue
			}
			b, err := os.ReadFile(name)
			if err != nil {
				fatal("%v", err)
			}
			src := string(b)
			action, args, _ := strings.Cut(strings.SplitN(src, "\n", 2)[0], " ")
			if action != "//" {
				continue
			}
			action, args, _ = strings.Cut(strings.TrimSpace(args), " ")
			if action != "errorcheck" && action != "run" {
				continue
			}
			f := &testFile{rel: rel, category: action, source: src}
			stem := strings.TrimSuffix(filepath.Base(rel), ".go")
			f.id = sanitize(strings.TrimSuffix(rel, ".go"))
			if n := seen[f.id]; n > 0 {
				f.id = fmt.Sprintf("%s-%d", f.id, n)
			}
			seen[f.id]++
			if args = strings.TrimSpace(args); args != "" {
				f.skip = "flags or arguments: " + args
			} else if ok, line := shouldTest(src); !ok {
				f.skip = "build constraint excludes linux/amd64: " + line
			} else if why := needsItsOwnPlace(src, stem, action); why != "" && !*tryAll {
				f.skip = "needs its own file name or line: " + why
			} else if action == "run" && runsTheGoCommand.MatchString(src) {
				f.skip = "runs the go command on other files of the test directory (a directory test)"
			}
			if action == "errorcheck" {
				f.source = gcError.ReplaceAllString(src, "// ERROR")
			} else {
				f.source = runError.ReplaceAllString(src, "//${1}(ERROR)")
			}
			if action == "run" && f.skip == "" {
				if out, err := os.ReadFile(strings.TrimSuffix(name, ".go") + ".out"); err == nil {
					f.out = string(out)
				}
				f.stream, f.skip = streamOf(src, f.out)
			}
			files = append(files, f)
		}
	}
	return files
}

// expectedFailures: the files Go's runner expects to fail on this platform, from its
// types2Failures list in cmd/internal/testdir (the type checker reports errors their claims
// do not name); its test passes when their errorcheck fails. Read from the Go tree, not
// copied, so that it is the list of the Go being compared with; none when it cannot be read.
func expectedFailures(goroot string) map[string]bool {
	src, err := os.ReadFile(filepath.Join(goroot, "src", "cmd", "internal", "testdir", "testdir_test.go"))
	if err != nil {
		return nil
	}
	m := regexp.MustCompile(`(?s)\nvar types2Failures = setOf\((.*?)\n\)`).FindSubmatch(src)
	if m == nil {
		return nil
	}
	set := map[string]bool{}
	for _, q := range regexp.MustCompile(`(?m)^\s*"([^"]+)"`).FindAllSubmatch(m[1], -1) {
		set[string(q[1])] = true
	}
	return set
}

var gcError = regexp.MustCompile(`//\s*GC_ERROR\b`)

// Go's runner ignores ERROR comments in run tests; snipcheck would read them as claims.
var runError = regexp.MustCompile(`//(\s*)ERROR\b`)

var runsTheGoCommand = regexp.MustCompile(`exec\.Command\("go"|run\("go"|"go tool |goTool|"go", "(run|build|tool|list)"`)

var tryAll = flag.Bool("try-all", false, "also verify the files that need their own file name or line (to see how many pass anyway)")

// shouldTest is cmd/internal/testdir's: the build constraints before the package clause, for
// linux/amd64 with the installed toolchain's release tags.
func shouldTest(src string) (bool, string) {
	cgo := false
	if out, err := exec.Command("go", "env", "CGO_ENABLED").Output(); err == nil {
		cgo = strings.TrimSpace(string(out)) == "1"
	}
	match := func(name string) bool {
		for _, c := range name {
			if !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '_' && c != '.' {
				return false
			}
		}
		switch {
		case slices.Contains(build.Default.ReleaseTags, name):
			return true
		case strings.HasPrefix(name, "goexperiment."):
			return slices.Contains(build.Default.ToolTags, name)
		case name == "cgo":
			return cgo
		case name == "linux" || name == "amd64" || name == "gc" || name == "unix":
			return true
		}
		return false
	}
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(line, "package ") {
			break
		}
		if expr, err := constraint.Parse(line); err == nil && !expr.Eval(match) {
			return false, line
		}
	}
	return true, ""
}

var errorLine = regexp.MustCompile(`//\s*(?:GC_)?ERROR\b.*`)

// needsItsOwnPlace: what a snippet cannot reproduce, since its file is a Markdown document and
// its lines are the document's (`//line` directives map them there).
func needsItsOwnPlace(src, stem, action string) string {
	switch {
	case strings.Contains(src, "//line ") || strings.Contains(src, "/*line "):
		return "it has //line directives of its own"
	case strings.Contains(src, "runtime.Caller") || strings.Contains(src, ".FileLine(") ||
		strings.Contains(src, "runtime.Stack") || strings.Contains(src, "debug.Stack"):
		return "it reads file names or line numbers of its own frames"
	}
	if action == "errorcheck" {
		for _, m := range errorLine.FindAllString(src, -1) {
			if strings.Contains(m, "LINE") || strings.Contains(m, stem+".go") {
				return "an ERROR pattern names its file or line"
			}
		}
	}
	if regexp.MustCompile(`"[^"\n]*\b` + regexp.QuoteMeta(stem) + `\.go`).MatchString(src) {
		return "it names its own file"
	}
	return ""
}

var builtinPrint = regexp.MustCompile(`(?m)(^|[^.\w])print(ln)?\(`)
var stdoutWrite = regexp.MustCompile(`fmt\.Print|os\.Stdout|testing\.Main`)

// streamOf: which stream a run test's expected output is claimed on. Go's runner reads stdout
// and stderr as one stream; snipcheck claims them apart (see README), so a test whose output
// comes from both cannot be expressed.
func streamOf(src, out string) (string, string) {
	toStderr := builtinPrint.MatchString(src) || strings.Contains(src, "os.Stderr") || strings.Contains(src, "\"log\"")
	toStdout := stdoutWrite.MatchString(src)
	switch {
	case out == "":
		return "", ""
	case toStderr && toStdout:
		return "", "its expected output mixes stdout and stderr, whose order cannot be claimed"
	case toStderr:
		return "Stderr", ""
	default:
		return "Output", ""
	}
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

// document writes the files as one Markdown document and says on which line each block starts
// and ends, so an error snipcheck reports at a line is traced to its file.
func document(files []*testFile) (string, map[string][2]int) {
	var b strings.Builder
	lines := map[string][2]int{}
	line := 1
	write := func(s string) {
		b.WriteString(s)
		line += strings.Count(s, "\n")
	}
	write("# Go's test directory, converted\n\n")
	for _, f := range files {
		fence := strings.Repeat("`", max(3, longestBacktickRun(f.source)+1))
		write(fmt.Sprintf("## %s\n\n", f.rel))
		start := line
		attrs := fmt.Sprintf("go id=%s timeout=60s", f.id)
		if f.category == "errorcheck" {
			attrs += " norun"
		}
		write(fmt.Sprintf("%s%s\n", fence, attrs))
		src := f.source
		if !strings.HasSuffix(src, "\n") {
			src += "\n"
		}
		write(src)
		if f.category == "run" {
			write(claims(f))
		}
		write(fence + "\n\n")
		lines[f.id] = [2]int{start, line}
	}
	return b.String(), lines
}

// claims: a run test's expected output on its stream, and nothing on the other one.
func claims(f *testFile) string {
	var b strings.Builder
	body := func(word, text string) {
		b.WriteString("// " + word + ":\n")
		text = strings.TrimRight(text, "\n")
		if text == "" {
			return
		}
		for _, l := range strings.Split(text, "\n") {
			b.WriteString(strings.TrimRight("// "+l, " ") + "\n")
		}
	}
	switch f.stream {
	case "Output":
		body("Output", f.out)
		body("Stderr", "")
	case "Stderr":
		body("Output", "")
		body("Stderr", f.out)
	default:
		body("Output", "")
		body("Stderr", "")
	}
	return b.String()
}

func longestBacktickRun(s string) int {
	best, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

var problemLine = regexp.MustCompile(`(?m)^(?:[Ee]rror: )?\s*(\S+\.md):(\d+): (.*)$`)

// verifyAll runs snipcheck on the files (a document per category) and returns its verdict per
// id. A file whose snippet snipcheck refuses (exit status 2: a claim it cannot read) is set
// apart with the reason, and the rest verified again.
func verifyAll(snipcheck, dir string, files []*testFile, refused map[string]string) map[string]verdict {
	if refused == nil {
		refused = map[string]string{}
	}
	verdicts := map[string]verdict{}
	for id, why := range refused {
		verdicts[id] = verdict{refused: why}
	}
	var rest []*testFile
	for _, f := range files {
		if _, ok := refused[f.id]; !ok {
			rest = append(rest, f)
		}
	}
	if len(rest) == 0 {
		return verdicts
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fatal("%v", err)
	}
	byCategory := map[string][]*testFile{}
	for _, f := range rest {
		byCategory[f.category] = append(byCategory[f.category], f)
	}
	docs := []string{}
	where := map[string]map[string][2]int{}
	for _, cat := range []string{"errorcheck", "run"} {
		if len(byCategory[cat]) == 0 {
			continue
		}
		name := cat + ".md"
		text, lines := document(byCategory[cat])
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			fatal("%v", err)
		}
		docs = append(docs, name)
		where[name] = lines
		for id, span := range lines {
			blockStart[id] = span[0]
		}
	}
	expected := filepath.Join(dir, "expected")
	os.RemoveAll(expected)
	args := append([]string{"verify", "--format", "json", "--expected", expected, "--no-cache"}, docs...)
	cmd := exec.Command(snipcheck, args...)
	cmd.Dir = dir
	cmd.Env = withoutCI(os.Environ())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if e, ok := err.(*exec.ExitError); ok {
		code = e.ExitCode()
	} else if err != nil {
		fatal("cannot run snipcheck: %v", err)
	}
	if code == 2 {
		found := false
		for _, m := range problemLine.FindAllStringSubmatch(stderr.String(), -1) {
			line, _ := strconv.Atoi(m[2])
			for id, span := range where[filepath.Base(m[1])] {
				if line >= span[0] && line <= span[1] {
					if _, ok := refused[id]; !ok {
						refused[id] = m[3]
					}
					found = true
				}
			}
		}
		if !found {
			fatal("snipcheck stopped (exit status 2) and named no file:\n%s", stderr.String())
		}
		return verifyAll(snipcheck, dir, files, refused)
	}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var ev struct {
			Type     string    `json:"type"`
			ID       string    `json:"id"`
			Verdict  string    `json:"verdict"`
			Class    string    `json:"class"`
			Failures []failure `json:"failures"`
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.Type != "finished" {
			continue
		}
		v := verdict{
			passed:   ev.Verdict == "passed" || ev.Verdict == "new",
			class:    ev.Class,
			failures: ev.Failures,
		}
		if !v.passed {
			for _, doc := range docs {
				pending := filepath.Join(expected, strings.TrimSuffix(doc, ".md"), ev.ID+".toml.new")
				if b, err := os.ReadFile(pending); err == nil {
					v.diagnostics = string(b)
				}
			}
		}
		verdicts[ev.ID] = v
	}
	for _, f := range rest {
		if _, ok := verdicts[f.id]; !ok {
			fatal("snipcheck reported nothing for %s (exit status %d):\n%s", f.rel, code, stderr.String())
		}
	}
	return verdicts
}

// reason names the cause of a disagreement, specific enough to tell the causes apart.
func reason(f *testFile, v verdict) string {
	if v.refused != "" {
		if strings.Contains(v.refused, "bad regexp") {
			return "refused: an ERROR pattern is not valid in snipcheck's regexp syntax"
		}
		return "refused: " + v.refused
	}
	var reasons []string
	for _, fl := range v.failures {
		reasons = append(reasons, failureReason(f, v, fl))
	}
	reasons = slices.Compact(reasons)
	if len(reasons) == 0 {
		return "failed without a failure"
	}
	return strings.Join(reasons, "; ")
}

// A package clause before any declaration, after comments and blank lines.
var packageFirst = regexp.MustCompile(`^(?:\s*(?://[^\n]*\n|/\*(?s:.*?)\*/))*\s*package\s`)

// claimedPattern: the pattern a failure about an ERROR claim quotes, as "p" or `p`.
func claimedPattern(msg string) string {
	if i := strings.Index(msg, "`"); i >= 0 {
		if j := strings.Index(msg[i+1:], "`"); j >= 0 {
			return msg[i+1 : i+1+j]
		}
	}
	if i := strings.Index(msg, `"`); i >= 0 {
		if p, err := strconv.Unquote(msg[i:]); err == nil {
			return p
		}
	}
	return ""
}

var atLine = regexp.MustCompile(`unclaimed compile error at \S+:(\d+): (.*)`)

func failureReason(f *testFile, v verdict, fl failure) string {
	msg := fl.Message
	diagnostics := fl.Actual
	switch {
	case strings.Contains(msg, "function main is undeclared"):
		return "unclaimed error: package main without func main does not link (Go's errorcheck only compiles)"
	case strings.Contains(msg, "too many errors"):
		return "unclaimed error: the compiler stopped at \"too many errors\" (Go's errorcheck passes -e)"
	case strings.HasPrefix(msg, "unclaimed compile error") && strings.Contains(msg, "missing function body"):
		return "unclaimed error: a function declared without a body (the go command compiles with -complete, Go's errorcheck does not)"
	case strings.HasPrefix(msg, "unclaimed compile error"):
		m := atLine.FindStringSubmatch(msg)
		if m == nil {
			return "unclaimed compile error"
		}
		line, _ := strconv.Atoi(m[1])
		src := sourceLine(f, line)
		switch {
		case errorLine.MatchString(src):
			return "unclaimed error on a line with an ERROR (several errors on one line, or a pattern snipcheck did not read)"
		case strings.HasSuffix(strings.TrimSpace(src), ",") || strings.HasSuffix(strings.TrimSpace(src), "("):
			return "unclaimed error on a continued line (its ERROR is on a later line)"
		default:
			return "unclaimed error on a line without ERROR"
		}
	case strings.HasPrefix(msg, "compile error at ") && strings.Contains(msg, "matched by no `// ERROR` pattern of its line"):
		return "unclaimed error on a line with an ERROR (several errors on one line, or a pattern snipcheck did not read)"
	case strings.Contains(msg, "every compile error on this line is matched by a pattern before it"):
		return "more ERROR patterns on a line than errors on it"
	case strings.HasPrefix(msg, "no compile error on this line matches") && !strings.Contains(diagnostics, "(no compile error on this line)"):
		if strings.Contains(msg, `\n`) {
			return "ERROR pattern of several lines (\\n) does not match the error on its line"
		}
		if src := sourceLine(f, fl.Line); strings.Contains(src, "ERROR `") {
			return "a back-quoted ERROR pattern does not match the error on its line (Go's runner reads only the \"...\" inside it)"
		}
		return "ERROR pattern does not match the error on its line"
	case strings.HasPrefix(msg, "no compile error on this line"):
		if strings.Contains(v.diagnostics, "too many errors") {
			return "claimed error missing: the compiler stopped at \"too many errors\" (Go's errorcheck passes -e)"
		}
		if re, err := regexp.Compile(claimedPattern(msg)); err == nil && claimedPattern(msg) != "" {
			for _, l := range strings.Split(v.diagnostics, "\n") {
				if strings.Contains(l, ".md:") && re.MatchString(l) {
					return "claimed error reported on another line (continuation or position)"
				}
			}
		}
		return "claimed error missing: no error matches it anywhere"
	case strings.HasPrefix(msg, "expected a compile error matching"):
		if !packageFirst.MatchString(f.source) {
			return "claimed errors did not happen: the file has no package clause first, so snipcheck wrapped it as a fragment"
		}
		return "claimed errors did not happen: the file compiled"
	case strings.Contains(msg, "the build failed outside the snippet's own lines"):
		return "the build failed outside the file's own lines"
	case strings.Contains(msg, "`// Output:` does not hold"):
		return "stdout differs from " + outName(f)
	case strings.Contains(msg, "`// Stderr:` does not hold"):
		if strings.Contains(fl.Actual, "[snipcheck:") {
			return "stderr differs: the sandbox stopped it (" + firstNote(fl.Actual) + ")"
		}
		return "stderr differs from " + outName(f)
	case f.category == "errorcheck" && strings.HasPrefix(msg, "expected a build (not run), got a compile error"):
		return "no ERROR claim read from the file (its ERROR comments are in a form snipcheck does not parse)"
	case strings.HasPrefix(msg, "expected "):
		return "wrong outcome: " + strings.SplitN(strings.SplitN(msg, " at ", 2)[0], "\n", 2)[0]
	}
	return msg
}

func firstNote(s string) string {
	i := strings.Index(s, "[snipcheck:")
	j := strings.Index(s[i:], "]")
	if j < 0 {
		return s[i:]
	}
	return s[i+1 : i+j]
}

func outName(f *testFile) string {
	if f.out == "" {
		return "the empty output expected"
	}
	return strings.TrimSuffix(filepath.Base(f.rel), ".go") + ".out"
}

// sourceLine: the line of the file that is Markdown line `line` of its document.
func sourceLine(f *testFile, line int) string {
	start := blockStart[f.id]
	lines := strings.Split(f.source, "\n")
	i := line - start - 1
	if i < 0 || i >= len(lines) {
		return ""
	}
	return lines[i]
}

// blockStart: the Markdown line of each file's opening fence in the plain run's document.
var blockStart = map[string]int{}

func report(files []*testFile, verdicts map[string]verdict) {
	for _, cat := range []string{"errorcheck", "run"} {
		var total, skipped, agree int
		var disagreements, expectedFails []string
		counts := map[string]int{}
		skips := map[string]int{}
		var skipList []string
		for _, f := range files {
			if f.category != cat {
				continue
			}
			total++
			if f.skip != "" {
				skipped++
				kind, _, _ := strings.Cut(f.skip, ":")
				skips[kind]++
				skipList = append(skipList, fmt.Sprintf("  skip %s: %s", f.rel, f.skip))
				continue
			}
			v := verdicts[f.id]
			if f.expectFail {
				// Go's runner passes the test when its errorcheck fails.
				if !v.passed && v.refused == "" {
					agree++
					expectedFails = append(expectedFails, fmt.Sprintf("  expected failure %s: %s%s", f.rel, reason(f, v), detail(v)))
					continue
				}
				r := "Go's runner expects this file's claims to fail (types2Failures), and snipcheck passed it"
				if v.refused != "" {
					r = reason(f, v)
				}
				counts[r]++
				disagreements = append(disagreements, fmt.Sprintf("  DISAGREE %s: %s", f.rel, r))
				continue
			}
			if v.passed {
				agree++
				continue
			}
			r := reason(f, v)
			for _, part := range strings.Split(r, "; ") {
				counts[part]++
			}
			disagreements = append(disagreements, fmt.Sprintf("  DISAGREE %s: %s%s", f.rel, r, detail(v)))
		}
		checked := total - skipped
		pct := 0.0
		if checked > 0 {
			pct = 100 * float64(agree) / float64(checked)
		}
		fmt.Printf("\n== %s: %d files, %d skipped, %d checked, %d agree with Go, %d disagree: agreement %.1f%%\n",
			cat, total, skipped, checked, agree, checked-agree, pct)
		fmt.Printf("skipped, by reason:\n")
		for _, k := range sortedKeys(skips) {
			fmt.Printf("  %4d  %s\n", skips[k], k)
		}
		fmt.Printf("disagreements, by reason (a file may have several):\n")
		for _, k := range sortedKeys(counts) {
			fmt.Printf("  %4d  %s\n", counts[k], k)
		}
		for _, d := range disagreements {
			fmt.Println(d)
		}
		if len(expectedFails) > 0 {
			fmt.Printf("agreeing by failing, as Go's runner expects (its types2Failures), %d:\n", len(expectedFails))
			for _, e := range expectedFails {
				fmt.Println(e)
			}
		}
		for _, s := range skipList {
			fmt.Println(s)
		}
	}
}

// detail: the first failure's line and message, shortened, so each disagreement can be found.
func detail(v verdict) string {
	if v.refused != "" || len(v.failures) == 0 {
		return ""
	}
	fl := v.failures[0]
	msg := strings.SplitN(fl.Message, "\n", 2)[0]
	if len(msg) > 160 {
		msg = msg[:160] + "..."
	}
	return fmt.Sprintf(" [md line %d: %s]", fl.Line, msg)
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

var errorComment = regexp.MustCompile(`\s*//\s*ERROR\b.*$`)

// mutate weakens one claim of an agreeing file: its first `// ERROR` goes, or its output gets a
// line changed (a line added when it expects none). `nil` when there is nothing to weaken.
func mutate(f *testFile) (*testFile, string) {
	m := *f
	m.id = f.id + ".mutated"
	switch f.category {
	case "errorcheck":
		lines := strings.Split(f.source, "\n")
		for i, l := range lines {
			if loc := errorComment.FindStringIndex(l); loc != nil && errorLine.MatchString(l) {
				lines[i] = l[:loc[0]]
				m.source = strings.Join(lines, "\n")
				return &m, fmt.Sprintf("the // ERROR on line %d removed, still passes", i+1)
			}
		}
		return nil, ""
	default:
		if f.out == "" {
			m.out = "mutated\n"
			m.stream = "Output"
			return &m, "an output line claimed where none is expected, still passes"
		}
		lines := strings.Split(f.out, "\n")
		lines[0] += " mutated"
		m.out = strings.Join(lines, "\n")
		return &m, "the first line of " + outName(f) + " changed, still passes"
	}
}

// withoutCI is the environment without the variables by which snipcheck knows it runs in CI:
// there a snippet without a record fails, and the runner's records are its own, made fresh on
// every run, so it always verifies as a person does locally.
func withoutCI(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "CI", "TF_BUILD", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI", "TRAVIS", "JENKINS_URL", "TEAMCITY_VERSION":
			continue
		}
		out = append(out, kv)
	}
	return out
}
