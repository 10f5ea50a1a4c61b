$ go run custom-errors.go
calling f: 42 - can't work with it
42
can't work with it
