$ go run log-flags.go
app: loading config
config has 3 entries
app: entry "timeout" is invalid
app: cannot continue
exit status 1
