$ go run panic.go
about to panic
panic: a problem

goroutine 1 [running]:
main.main()
	/tmp/sandbox/prog.go:12 +0x59
exit status 2
