$ go run range-over-map.go
bob 27
carol 45
dave 19
alice 31
--- sorted ---
alice 31
bob 27
carol 45
dave 19
