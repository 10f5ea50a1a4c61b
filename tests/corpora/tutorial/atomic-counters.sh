$ go run atomic-counters.go
ops: 50000
