$ go run process-id.go
pid: 31241
parent pid: 31181
