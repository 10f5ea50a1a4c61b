$ go run memory-usage.go
Alloc = 67 KiB
Alloc = 1068 KiB
NumGC = 0
100 buffers kept
