$ go run channel-buffering.go
2 2
buffered
channel
