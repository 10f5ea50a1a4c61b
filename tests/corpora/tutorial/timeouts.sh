$ go run timeouts.go
timeout 1
result 2
