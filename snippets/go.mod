module example.com/snipcheck-docs

go 1.22

require (
	github.com/google/go-cmp v0.6.0
	github.com/sony/gobreaker v1.0.0
	go.uber.org/automaxprocs v1.6.0
	golang.org/x/sync v0.8.0
)
