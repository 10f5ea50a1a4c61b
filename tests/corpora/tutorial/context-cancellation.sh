$ go run context-cancellation.go
fast: <nil>
slow: context deadline exceeded
cancelled: context canceled
context canceled
